// The backend services the GKE Ingress controller keeps in the stand-in world (world.gcloud.backendServices),
// shared by the stand-in gcloud and the harness's loopback Google (harness-google.ts).

/**
 * The backend services GKE keeps for the HTTP Service of each flyte-binary release with an
 * Ingress, keyed by name, with their IAP settings and IAM policy. GKE deletes a backend service
 * with its Ingress, so entries of releases that are gone are dropped.
 */
export function backendServices(world) {
  const g = (world.gcloud ??= {});
  const current = {};
  for (const [key, release] of Object.entries(world.helm?.releases ?? {})) {
    if (release.chart !== 'flyte-binary') continue;
    const [ns, name] = key.split('/');
    // The one public Ingress (flyte-gke chart) routes to the proxy port of the HTTP Service.
    const gkeIngress = world.helm.releases[`${ns}/${name}-gke`]?.values?.ingress?.enabled === true;
    if (!gkeIngress) continue;
    const fullName = name.includes('flyte-binary') ? name : `${name}-flyte-binary`;
    const serviceName = `${ns}/${fullName}-http`;
    const id = `k8s1-0a1b2c3d-${ns}-${fullName}-http-8443-4e5f6a7b`;
    current[id] = { ...(g.backendServices?.[id] ?? {}), serviceName, port: '8443' };
    // The ingress controller applies the BackendConfig: with IAP in it, IAP is on, with the
    // OAuth client of the BackendConfig's Secret (unless the test holds the controller back).
    const gke = world.helm.releases[`${ns}/${name}-gke`];
    if (gke?.values?.iap?.enabled === true && !g.controllerLagsIap) {
      current[id].iap = { enabled: true, oauth2ClientId: 'from-backendconfig-secret' };
    }
  }
  g.backendServices = current;
  return current;
}
