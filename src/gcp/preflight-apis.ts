/**
 * Are the APIs the module needs on, or will the module turn them on? Service Usage v1
 * `GET /v1/projects/{project}/services?filter=state:ENABLED` lists the enabled ones, at most 200
 * a page (`pageSize`), continued with `pageToken` while the answer carries `nextPageToken`
 * (Service Usage REST reference, services.list). The module enables its APIs itself
 * (terraform/apis.tf), but that takes Service Usage and Cloud Resource Manager already on:
 * Terraform enables an API through the first and reads the project through the second.
 */
import type { Inputs } from '../inputs.js';
import type { GoogleApi } from './google-api.js';
import { enableCommand, readProblem, type PreflightResult } from './preflight-result.js';

export const APIS_CHECK = 'preflight-apis';

/** terraform/apis.tf's base_services (test/preflight.test.ts keeps the two equal). */
export const MODULE_SERVICES: readonly string[] = [
  'cloudresourcemanager.googleapis.com',
  'compute.googleapis.com',
  'container.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'secretmanager.googleapis.com',
  'servicenetworking.googleapis.com',
  'serviceusage.googleapis.com',
  'sqladmin.googleapis.com',
  'storage.googleapis.com'
];
/** terraform/apis.tf adds it when var.iap is true. */
export const IAP_SERVICE = 'iap.googleapis.com';

/** On before the module can enable anything. */
export const BOOTSTRAP_SERVICES: readonly string[] = [
  'serviceusage.googleapis.com',
  'cloudresourcemanager.googleapis.com'
];

const PAGE_SIZE = 200;
/** A project has a few hundred services at most; this bounds a misbehaving pager. */
const MAX_PAGES = 50;

interface ServicesPage {
  services?: { config?: { name?: string }; name?: string; state?: string }[];
  nextPageToken?: string;
}

export function moduleServices(inputs: Pick<Inputs, 'iap'>): string[] {
  return [...MODULE_SERVICES, ...(inputs.iap ? [IAP_SERVICE] : [])];
}

export function describeApisCheck(inputs: Inputs): string {
  return [
    `GET serviceusage.googleapis.com/v1/projects/${inputs.projectId}/services?filter=state:ENABLED (every page)`,
    `Needed: ${moduleServices(inputs).join(', ')}. The module enables those that are off; ${BOOTSTRAP_SERVICES.join(' and ')} must be on already (a failure gives the gcloud services enable command).`
  ].join('\n');
}

export async function checkApis(google: GoogleApi, inputs: Inputs): Promise<PreflightResult> {
  const subject = 'APIs';
  let enabled: Set<string>;
  try {
    enabled = await enabledServices(google, inputs.projectId);
  } catch (error) {
    const problem = readProblem(error, 'serviceusage.googleapis.com');
    if (problem.kind === 'api-disabled') {
      return {
        check: APIS_CHECK,
        subject,
        status: 'fail',
        found: `The Service Usage API is off in ${inputs.projectId}: the module cannot enable any API without it.`,
        fixes: [enableCommand('serviceusage.googleapis.com', inputs.projectId)]
      };
    }
    return {
      check: APIS_CHECK,
      subject,
      status: 'not-checked',
      found: `Could not list the enabled APIs: ${problem.message}`
    };
  }
  const off = moduleServices(inputs).filter((s) => !enabled.has(s));
  const blocking = off.filter((s) => BOOTSTRAP_SERVICES.includes(s));
  if (blocking.length > 0) {
    return {
      check: APIS_CHECK,
      subject,
      status: 'fail',
      found: `${blocking.join(' and ')} ${blocking.length === 1 ? 'is' : 'are'} off in ${inputs.projectId}; the module cannot enable ${blocking.length === 1 ? 'it' : 'them'} itself (Terraform needs ${blocking.length === 1 ? 'it' : 'them'} to enable the others).`,
      fixes: [enableCommand(blocking.join(' '), inputs.projectId)]
    };
  }
  const when =
    inputs.command === 'plan' ? 'the deploy of this plan enables' : 'this deploy enables';
  return {
    check: APIS_CHECK,
    subject,
    status: 'pass',
    found:
      off.length === 0
        ? `All ${moduleServices(inputs).length} APIs the module needs are on.`
        : `${off.length} of the APIs the module needs are off, and ${when} them (google_project_service): ${off.join(', ')}.`
  };
}

async function enabledServices(google: GoogleApi, project: string): Promise<Set<string>> {
  const names = new Set<string>();
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await google.request<ServicesPage>({
      service: 'serviceusage',
      path: `/v1/projects/${encodeURIComponent(project)}/services`,
      query: {
        filter: 'state:ENABLED',
        pageSize: String(PAGE_SIZE),
        ...(pageToken ? { pageToken } : {})
      }
    });
    for (const service of answer.services ?? []) {
      // config.name is the service's DNS name; name is projects/NUMBER/services/NAME.
      const name = service.config?.name ?? service.name?.split('/').pop();
      if (name) names.add(name);
    }
    pageToken = answer.nextPageToken || undefined;
    if (!pageToken) return names;
  }
  throw new Error(`services.list gave more than ${MAX_PAGES} pages`);
}
