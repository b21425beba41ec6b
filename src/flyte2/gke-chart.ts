/**
 * The flyte-gke chart's values for Flyte 2: the Ingress routes to the manager's port and to the
 * console, both health-checked on paths the pods serve, with no TLS proxy (docs/flyte2.md).
 */
import type { Flyte2GkeValues, GkeChartValues } from '../values/gke-chart-values.js';
import {
  CONSOLE_BASE_PATH,
  CONSOLE_PORT,
  FLYTE2_HEALTH_PATH,
  FLYTE2_HTTP_PORT,
  flyte2Names
} from './names.js';

/**
 * The API backend service's timeout. Over HTTP/1.1 Google's load balancer ends a response after
 * the backend service timeout (30 s unless the BackendConfig says otherwise), and the SDK's
 * Watch* calls are server streams that last as long as a run is followed: an hour, as the Flyte 1
 * proxy's grpc_read_timeout.
 */
export const API_TIMEOUT_SEC = 3600;

export type { Flyte2GkeValues };

export function withFlyte2(v1: GkeChartValues, release: string): GkeChartValues {
  // The namespace does not change these names; flyte2Names wants one, so any will do.
  const names = flyte2Names({ releaseName: release, namespace: 'unused' });
  return {
    ...v1,
    // Plain HTTP on the manager's port, as the traffic (app-protocols HTTP on the Service).
    healthCheck: { type: 'HTTP', port: FLYTE2_HTTP_PORT, requestPath: FLYTE2_HEALTH_PATH },
    flyte2: {
      enabled: true,
      apiPort: FLYTE2_HTTP_PORT,
      apiTimeoutSec: API_TIMEOUT_SEC,
      console: {
        release,
        serviceName: names.consoleService,
        backendConfig: names.consoleBackendConfig,
        port: CONSOLE_PORT,
        basePath: CONSOLE_BASE_PATH
      }
    }
  };
}
