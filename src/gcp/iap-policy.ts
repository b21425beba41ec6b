/**
 * Who may pass Identity-Aware Proxy on a backend service, through IAP's API instead of
 * `gcloud iap web get-iam-policy` / `add-iam-policy-binding`:
 * - `POST iap.googleapis.com/v1/projects/P/iap_web/compute/services/NAME:getIamPolicy` with
 *   `{options: {requestedPolicyVersion: 3}}` (iap.webServices.getIamPolicy) answers the whole
 *   Policy, conditional bindings included (below version 3 Google may answer them stripped);
 * - `POST …:setIamPolicy` with `{policy}` (iap.webServices.setIamPolicy) replaces the policy. The
 *   policy sent is the one read plus the new members, with the etag read (Google refuses it with
 *   409 ABORTED when someone changed the policy in between, so nothing of theirs is lost; the
 *   action then reads again) and version 3 (required once any binding has a condition, allowed
 *   for any policy).
 * The resource name is the project and the backend service's name, as terraform-provider-google's
 * google_iap_web_backend_service_iam uses it (v6.50.0, iam_iap_web_backend_service.go).
 * References: cloud.google.com/iap/docs/reference/rest/v1/TopLevel/getIamPolicy and
 * /setIamPolicy; the Policy's etag and version rules in
 * cloud.google.com/resource-manager/reference/rest/Shared.Types/Policy.
 */
import { GoogleApiError, type GoogleApi } from './google-api.js';

export const IAP_ACCESSOR_ROLE = 'roles/iap.httpsResourceAccessor';

export interface PolicyBinding {
  readonly role: string;
  readonly members?: readonly string[];
  readonly condition?: unknown;
}

/** Google's IAM Policy; fields this action does not read are sent back as they came. */
export interface IamPolicy {
  readonly version?: number;
  readonly bindings?: readonly PolicyBinding[];
  readonly etag?: string;
  readonly [other: string]: unknown;
}

/** How often a grant reads and writes again after Google said the policy changed meanwhile. */
const SET_ATTEMPTS = 3;

export function iapResource(project: string, backendService: string): string {
  return `projects/${encodeURIComponent(project)}/iap_web/compute/services/${encodeURIComponent(backendService)}`;
}

/** The resource as the dry run prints it (a placeholder stays readable). */
const shownResource = (project: string, backendService: string) =>
  `projects/${project}/iap_web/compute/services/${backendService}`;

export function describeIapPolicyRead(project: string, backendService: string): string {
  return `POST https://iap.googleapis.com/v1/${shownResource(project, backendService)}:getIamPolicy {options: {requestedPolicyVersion: 3}} (iap.webServices.getIamPolicy)`;
}

export function describeIapPolicyWrite(project: string, backendService: string): string {
  return `POST https://iap.googleapis.com/v1/${shownResource(project, backendService)}:setIamPolicy {policy: the policy read plus the new members in the unconditional ${IAP_ACCESSOR_ROLE} binding, its etag, version 3} (iap.webServices.setIamPolicy); not sent when every member holds the role already`;
}

export async function readIapPolicy(
  api: GoogleApi,
  project: string,
  backendService: string
): Promise<IamPolicy> {
  return api.request<IamPolicy>({
    service: 'iap',
    method: 'POST',
    path: `/v1/${iapResource(project, backendService)}:getIamPolicy`,
    body: { options: { requestedPolicyVersion: 3 } }
  });
}

/**
 * Members that hold the IAP accessor role without a condition (a conditional grant, such as one
 * that expired, does not count). Lowercased, as IAM compares emails without case.
 */
export function iapAccessors(policy: IamPolicy): string[] {
  const bindings = Array.isArray(policy.bindings) ? policy.bindings : [];
  return bindings
    .filter((b) => b?.role === IAP_ACCESSOR_ROLE)
    .filter((b) => b.condition === undefined || b.condition === null)
    .flatMap((b) => (Array.isArray(b.members) ? b.members : []))
    .filter((m): m is string => typeof m === 'string')
    .map((m) => m.toLowerCase());
}

/** The policy with `members` added to the unconditional accessor binding (made when missing). */
export function withAccessors(policy: IamPolicy, members: readonly string[]): IamPolicy {
  const bindings = [...(policy.bindings ?? [])];
  const at = bindings.findIndex(
    (b) => b.role === IAP_ACCESSOR_ROLE && (b.condition === undefined || b.condition === null)
  );
  const current = at >= 0 ? [...(bindings[at]?.members ?? [])] : [];
  const binding: PolicyBinding = { role: IAP_ACCESSOR_ROLE, members: [...current, ...members] };
  if (at >= 0) bindings[at] = { ...bindings[at], ...binding };
  else bindings.push(binding);
  return { ...policy, version: 3, bindings };
}

/**
 * Lets `members` through IAP on the backend service: reads the policy and writes it back with
 * only the members that lack the role. Returns the members added; none (and no write at all)
 * when every one holds the role already, so a second run changes nothing.
 */
export async function grantIapAccess(
  api: GoogleApi,
  project: string,
  backendService: string,
  members: readonly string[]
): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const policy = await readIapPolicy(api, project, backendService);
    const bound = new Set(iapAccessors(policy));
    const missing = members.filter(
      (m, i) => !bound.has(m.toLowerCase()) && members.indexOf(m) === i
    );
    if (missing.length === 0) return [];
    try {
      await api.request({
        service: 'iap',
        method: 'POST',
        path: `/v1/${iapResource(project, backendService)}:setIamPolicy`,
        body: { policy: withAccessors(policy, missing) }
      });
      return missing;
    } catch (error) {
      const changedMeanwhile = error instanceof GoogleApiError && error.httpStatus === 409;
      if (!changedMeanwhile || attempt >= SET_ATTEMPTS) throw error;
    }
  }
}
