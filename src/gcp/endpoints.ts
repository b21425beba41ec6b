/**
 * Where the action's own Google API calls go. By default `https://SERVICE.googleapis.com`.
 * FLYTE_GKE_GOOGLE_API_ENDPOINT replaces that with a template holding `{service}` — for Private
 * Service Connect endpoints (`https://{service}-NAME.p.googleapis.com`) and for the loopback
 * stand-ins the tests run. Tokens go wherever requests go, so the template may only name a
 * googleapis.com host over HTTPS or the loopback interface, nothing else.
 */
export const ENDPOINT_VARIABLE = 'FLYTE_GKE_GOOGLE_API_ENDPOINT';

export type EndpointOf = (service: string) => string;

const SERVICE_NAME = /^[a-z][a-z0-9]*$/;

export function endpoints(env: NodeJS.ProcessEnv): EndpointOf {
  const template = env[ENDPOINT_VARIABLE]?.trim();
  if (!template) return (service) => `https://${checkService(service)}.googleapis.com`;
  checkTemplate(template);
  return (service) => template.replace(/\{service\}/g, checkService(service)).replace(/\/+$/, '');
}

function checkService(service: string): string {
  if (!SERVICE_NAME.test(service)) throw new Error(`Not a Google API service name: ${service}`);
  return service;
}

function checkTemplate(template: string): void {
  if (!template.includes('{service}')) {
    throw new Error(
      `${ENDPOINT_VARIABLE} must contain {service}, e.g. https://{service}-myendpoint.p.googleapis.com; got ${template}.`
    );
  }
  const url = new URL(template.replace(/\{service\}/g, 'service'));
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  const google = url.protocol === 'https:' && /(^|\.)googleapis\.com$/.test(url.hostname);
  if (!(google || (loopback && (url.protocol === 'http:' || url.protocol === 'https:')))) {
    throw new Error(
      `${ENDPOINT_VARIABLE} may name only an https googleapis.com host (Private Service Connect) or the loopback interface; got ${url.host}. Access tokens are sent there.`
    );
  }
}
