# Cloud SQL for PostgreSQL, reachable only on a private IP inside the cluster's VPC.

resource "random_id" "database_suffix" {
  # Cloud SQL keeps a deleted instance's name reserved for a week; a suffix lets a
  # destroyed setup be recreated at once.
  byte_length = 2
}

resource "google_sql_database_instance" "main" {
  name                = "${var.cluster_name}-pg-${random_id.database_suffix.hex}"
  region              = var.region
  database_version    = var.database_version
  deletion_protection = var.deletion_protection

  settings {
    edition = "ENTERPRISE"
    tier    = var.database_tier
    # ZONAL by default; REGIONAL (a standby in another zone) with database-availability: regional.
    availability_type           = var.database_availability_type
    deletion_protection_enabled = var.deletion_protection
    # The automated and on-demand backups outlive the instance, so a destroy (or a mistaken
    # replacement) can be restored from (docs/backup-restore.md).
    retain_backups_on_delete = var.retain_backups_on_delete

    ip_configuration {
      ipv4_enabled    = false
      private_network = google_compute_network.vpc.id
      # Only TLS connections (Flyte connects with sslmode=require); docs/security.md says how to relax.
      ssl_mode = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }
  }

  depends_on = [google_service_networking_connection.private_services]
}

resource "google_sql_database" "flyte" {
  name     = var.database_name
  instance = google_sql_database_instance.main.name
}

resource "google_sql_user" "flyte" {
  name     = var.database_user
  instance = google_sql_database_instance.main.name
  # Write-only (Terraform 1.11+): sent to Cloud SQL, never kept in state or plan files. The
  # version follows the Secret Manager version, so a new secret always reaches the user in the
  # same apply (both read the one ephemeral password of that run); see database-password.tf.
  password_wo         = ephemeral.random_password.database.result
  password_wo_version = tonumber(google_secret_manager_secret_version.database_password.version)

  # PostgreSQL refuses to drop a role that owns objects; the instance goes on destroy anyway.
  deletion_policy = "ABANDON"
}
