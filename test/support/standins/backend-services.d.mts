/** Types of backend-services.mjs for the TypeScript harness. */
export interface WorldBackendService {
  serviceName: string;
  port: string;
  description?: string;
  iap?: { enabled: boolean; oauth2ClientId?: string };
  policy?: {
    version?: number;
    bindings: { role: string; members: string[]; condition?: { expression: string } }[];
    etag: string;
  };
}

export function backendServices(world: object): Record<string, WorldBackendService>;
