/** Terraform answers in the shapes Terraform 1.x prints, for the terraform-* tests. */

export const PASSWORD = 'Qm9yZWRQYXNzd29yZC1jYW5hcnk-xyz123';

/** `terraform show -json PLANFILE` with the given resource changes. */
export function planJson(changes: [address: string, actions: string[]][]): string {
  return JSON.stringify({
    format_version: '1.2',
    terraform_version: '1.13.4',
    planned_values: { root_module: {} },
    resource_changes: changes.map(([address, actions]) => {
      const mode = address.startsWith('data.') ? 'data' : 'managed';
      const type = address.replace(/^data\./, '').split('.')[0];
      return {
        address,
        mode,
        type,
        name: address.split('.').pop(),
        provider_name: 'registry.terraform.io/hashicorp/google',
        change: { actions, before: null, after: {}, after_unknown: {}, after_sensitive: {} }
      };
    }),
    configuration: { root_module: {} },
    timestamp: '2026-11-24T03:00:00Z',
    errored: false
  });
}

/** `terraform output -json` after an apply of the shipped module. */
/** The Secret Manager version the shipped module outputs in place of the password. */
export const PASSWORD_SECRET = 'projects/acme-flyte-dev/secrets/flyte-flyte-db-password/versions/3';

/**
 * `terraform output -json` after an apply of the shipped module; `legacyPassword` adds the
 * password output of modules from before the password left the state.
 */
export function outputJson(options: { ingress?: boolean; legacyPassword?: string }): string {
  const value = (v: string, sensitive = false) => ({ sensitive, type: 'string', value: v });
  return JSON.stringify(
    {
      bucket_name: value('acme-flyte-dev-flyte-flyte'),
      cloudsql_database: value('flyte'),
      cloudsql_ip: value('10.59.0.3'),
      cloudsql_password_secret: value(PASSWORD_SECRET),
      ...(options.legacyPassword ? { cloudsql_password: value(options.legacyPassword, true) } : {}),
      cloudsql_user: value('flytepg'),
      gke_cluster_location: value('us-central1'),
      gke_cluster_name: value('flyte'),
      project_id: value('acme-flyte-dev'),
      service_account: value('flyte-flyte@acme-flyte-dev.iam.gserviceaccount.com'),
      ...(options.ingress
        ? { static_ip_address: value('34.111.22.33'), static_ip_name: value('flyte-flyte') }
        : {})
    },
    null,
    2
  );
}

export const LOCK_ERROR = `╷
│ Error: Error acquiring the state lock
│ 
│ Error message: writing "gs://acme-flyte-dev-flyte-tfstate/flyte-gke/flyte/default.tflock"
│ failed: googleapi: Error 412: At least one of the pre-conditions you specified did not
│ hold., conditionNotMet
│ Lock Info:
│   ID:        6a3b1e5c-1f2d-4c7e-9a10-1b2c3d4e5f60
│   Path:      gs://acme-flyte-dev-flyte-tfstate/flyte-gke/flyte/default.tflock
│   Operation: OperationTypeApply
│   Who:       runner@fv-az512-777
│   Version:   1.13.4
│   Created:   2026-11-24 03:00:00.123456 +0000 UTC
│   Info:      
│ 
│ 
│ Terraform acquires a state lock to protect the state from being written
│ by multiple users at the same time. Please resolve the issue above and try
│ again. For most commands, you can disable locking with the "-lock=false"
│ flag, but this is not recommended.
╵
`;
