/** Who already passes IAP: only unconditional accessor bindings count. */
import { describe, expect, it } from '@jest/globals';
import { IAP_ACCESSOR_ROLE, parseIapAccessors } from '../src/tools/gcloud/iap.js';

const policy = (bindings: unknown[]) => JSON.stringify({ bindings, etag: 'BwY=' });

describe('parseIapAccessors', () => {
  it('counts a member bound without a condition', () => {
    expect(
      parseIapAccessors(policy([{ role: IAP_ACCESSOR_ROLE, members: ['user:Alice@Example.com'] }]))
    ).toEqual(['user:alice@example.com']);
  });

  it('does not count a member whose only accessor binding is conditional (an expired grant)', () => {
    const expired = {
      role: IAP_ACCESSOR_ROLE,
      members: ['user:bob@example.com'],
      condition: {
        title: 'until-2026-01-01',
        expression: 'request.time < timestamp("2026-01-01T00:00:00Z")'
      }
    };
    expect(parseIapAccessors(policy([expired]))).toEqual([]);
    // Beside an unconditional binding for someone else, still not bob.
    expect(
      parseIapAccessors(
        policy([expired, { role: IAP_ACCESSOR_ROLE, members: ['group:flyte@example.com'] }])
      )
    ).toEqual(['group:flyte@example.com']);
  });

  it('counts a member bound both ways once, through the unconditional binding', () => {
    const member = 'user:carol@example.com';
    expect(
      parseIapAccessors(
        policy([
          { role: IAP_ACCESSOR_ROLE, members: [member], condition: { expression: 'false' } },
          { role: IAP_ACCESSOR_ROLE, members: [member] }
        ])
      )
    ).toEqual([member]);
  });

  it('ignores other roles and reads an empty policy as nobody', () => {
    expect(
      parseIapAccessors(policy([{ role: 'roles/iap.admin', members: ['user:dave@example.com'] }]))
    ).toEqual([]);
    expect(parseIapAccessors('{"etag":"ACAB"}')).toEqual([]);
    expect(() => parseIapAccessors('not json')).toThrow(/did not print JSON/);
  });
});
