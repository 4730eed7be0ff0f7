import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type CertificateView, nextRotationStep, renewalTime, trustedFrom, type Validity } from './rotation.js';

interface Ca extends Validity {
  id: number;
  /** When it entered the bundle. */
  bundledAt: number;
}

/**
 * Simulates the certificates over time with the plan deciding, and checks at every check: the served certificate is
 * valid, its CA is in the bundle and valid, a rotated-in CA signs it only after a tenth of its life in the bundle
 * (API servers pick the bundle up meanwhile), and the newest CA signs it once the overlap has passed.
 */
test('rotation keeps the served certificate valid and trusted by the bundle at every moment', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 10_000, max: 10_000_000 }),
      fc.integer({ min: 3_000, max: 10_000_000 }),
      fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 50, maxLength: 400 }),
      (caMs, servingMs, gaps) => {
        let nextId = 0;
        // As src/tls does: a minute, or a tenth of a short life.
        const backdate = (validity: number) => Math.min(60_000, validity / 10);
        const newCa = (now: number): Ca => ({
          id: nextId++,
          notBefore: now - backdate(caMs),
          notAfter: now + caMs,
          bundledAt: now,
        });
        const issue = (ca: Ca, now: number) => {
          const notAfter = Math.min(now + servingMs, ca.notAfter);
          return { notBefore: now - backdate(notAfter - now), notAfter, signer: ca.id, issuedAt: now };
        };
        let ca: Ca | undefined;
        let previous: Ca | undefined;
        let serving: (Validity & { signer: number; issuedAt: number }) | undefined;
        let firstCa: number | undefined;
        // A check at least every twentieth of the shorter life (checkIntervalMs).
        const step = Math.max(1, Math.min(caMs, servingMs) / 20);
        let now = 1_000_000_000;
        for (const gap of gaps) {
          now += (gap / 1000) * step;
          for (let applied = 0; ; applied++) {
            assert.ok(applied < 5, 'the plan settles');
            const view: CertificateView | undefined =
              ca === undefined || serving === undefined
                ? undefined
                : {
                    ca,
                    ...(previous ? { previousCa: previous } : {}),
                    serving: {
                      ...serving,
                      signer:
                        serving.signer === ca.id ? 'ca' : serving.signer === previous?.id ? 'previousCa' : 'other',
                    },
                  };
            const next = nextRotationStep(view, now);
            if (next === undefined) break;
            if (next.kind === 'createCa') {
              ca = newCa(now);
              firstCa = ca.id;
              serving = issue(ca, now);
            } else if (next.kind === 'rotateCa' && ca) {
              previous = ca;
              ca = newCa(now);
            } else if (next.kind === 'dropPreviousCa') previous = undefined;
            else if (next.kind === 'issueServing') {
              const signer = next.signer === 'ca' ? ca : previous;
              assert.ok(signer, `${next.signer} exists`);
              serving = issue(signer, now);
            }
          }
          assert.ok(ca && serving);
          assert.ok(now < serving.notAfter && now >= serving.notBefore, 'the served certificate is valid now');
          const bundle = [ca, previous].filter((entry): entry is Ca => entry !== undefined);
          const signer = bundle.find((entry) => entry.id === serving?.signer);
          assert.ok(signer, 'the bundle holds the CA of the served certificate');
          assert.ok(now < signer.notAfter, 'that CA is valid');
          if (signer.id !== firstCa) {
            assert.ok(
              serving.issuedAt - signer.bundledAt >= caMs / 10,
              `CA ${signer.id} signed ${serving.issuedAt - signer.bundledAt} ms after it entered the bundle`,
            );
          }
          // Once the overlap has passed, the newest CA signs what is served.
          if (now >= trustedFrom(ca) + step) assert.equal(signer, ca, 'the newest CA signs the served certificate');
        }
      },
    ),
    { numRuns: 300 },
  );
});

test("renewal is due at two thirds of a certificate's life", () => {
  assert.equal(renewalTime({ notBefore: 0, notAfter: 300 }), 200);
  const view: CertificateView = {
    ca: { notBefore: 0, notAfter: 3000 },
    serving: { notBefore: 0, notAfter: 300, signer: 'ca' },
  };
  assert.equal(nextRotationStep(view, 199), undefined);
  assert.deepEqual(nextRotationStep(view, 200), { kind: 'issueServing', signer: 'ca' });
  assert.deepEqual(nextRotationStep({ ...view, serving: { notBefore: 1900, notAfter: 2900, signer: 'ca' } }, 2000), {
    kind: 'rotateCa',
  });
});

test('a serving certificate due while a new CA is not yet trusted is signed by the previous CA', () => {
  // The new CA started (backdated) at 6000, issued at 6100; it is trusted from 6000 + 0.2 × 4000 = 6800.
  const view: CertificateView = {
    ca: { notBefore: 6000, notAfter: 10_000 },
    previousCa: { notBefore: 0, notAfter: 9000 },
    serving: { notBefore: 4600, notAfter: 7600, signer: 'previousCa' },
  };
  assert.equal(nextRotationStep(view, 6100), undefined);
  assert.deepEqual(nextRotationStep(view, 6600), { kind: 'issueServing', signer: 'previousCa' });
  assert.deepEqual(nextRotationStep(view, 6800), { kind: 'issueServing', signer: 'ca' });
  // Signed by neither CA (the Secret was edited): replaced at once, by the CA clients trust already.
  assert.deepEqual(nextRotationStep({ ...view, serving: { ...view.serving, signer: 'other' } }, 6100), {
    kind: 'issueServing',
    signer: 'previousCa',
  });
});
