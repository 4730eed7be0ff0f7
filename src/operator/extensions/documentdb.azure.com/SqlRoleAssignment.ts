/**
 * SqlRoleAssignment: Cosmos DB names SQL role assignments by GUID; without `spec.azureName` one is derived from the
 * object.
 */
import { guidNameHooks } from '../guid-name.js';

export const sqlRoleAssignmentHooks = guidNameHooks(
  'Cosmos DB names SQL role assignments by GUID; ASO derives one from the object when azureName is unset',
);
