/** What the User reconciler needs of a database server session, whatever the engine. */

/** How to log into a server as its administrator. */
export interface DbConnection {
  host: string;
  port: number;
  /** TLS, verifying the server's certificate for `host` (off for an `AZO_DATABASE_HOSTS` stand-in). */
  tls: boolean;
  adminUser: string;
  adminPassword: string;
  timeoutMs: number;
}

/** A session as the server administrator: reads a user, applies planned changes, drops a user. */
export interface UserSession<User, Change> {
  readUser(name: string): Promise<User | null>;
  apply(name: string, password: string, changes: Change[]): Promise<void>;
  dropUser(name: string): Promise<void>;
  close(): Promise<void>;
}
