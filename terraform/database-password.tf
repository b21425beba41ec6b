# The Flyte database password never enters Terraform state or plan files, which the planner (and
# so any pull request) can read. Terraform generates it afresh in each run as an ephemeral value
# and hands it only to write-only arguments: the Cloud SQL user's and one Secret Manager version,
# from which the deployer alone reads it for the Helm values (docs/database-secret.md).

ephemeral "random_password" "database" {
  length  = 32
  special = false # keeps the password safe in connection strings and YAML without quoting
}

# Releases before this one kept a random_password (its result in plain text) in state. Forget it
# without touching anything: it exists only in state. The apply that forgets it also writes the
# new password (secret version 1 and the user), so the old one, still in older state versions of
# the bucket, no longer opens the database.
removed {
  from = random_password.database

  lifecycle {
    destroy = false
  }
}

resource "google_secret_manager_secret" "database_password" {
  secret_id = "${var.cluster_name}-flyte-db-password"

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "database_password" {
  secret         = google_secret_manager_secret.database_password.id
  secret_data_wo = ephemeral.random_password.database.result
  # Forces a new version (and so a new password for the user): raise it to rotate.
  secret_data_wo_version = var.database_password_version
}
