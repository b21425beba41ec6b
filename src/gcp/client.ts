/** The real GoogleApi of a run: the job's credentials file, Google's (or the configured) endpoints. */
import { authClientFromFile } from './credentials.js';
import { endpoints } from './endpoints.js';
import { createGoogleApi, type GoogleApi } from './google-api.js';

export function googleApiFor(credentialsFile: string, env: NodeJS.ProcessEnv): GoogleApi {
  const endpointOf = endpoints(env);
  return createGoogleApi({ auth: authClientFromFile(credentialsFile, endpointOf), endpointOf });
}
