# Names follow the Flyte on GKE guide; the action reads them with `terraform output -json`.

output "cloudsql_ip" {
  description = "Private IP of the Cloud SQL instance."
  value       = google_sql_database_instance.main.private_ip_address
}

# Not the password: the Secret Manager version that holds it, which only the deployer may read.
output "cloudsql_password_secret" {
  description = "Secret Manager version (projects/P/secrets/S/versions/N) holding the Flyte database user's password."
  value       = google_secret_manager_secret_version.database_password.name
}

# The action backs the instance up by this name before a chart upgrade and before destroy.
output "cloudsql_instance" {
  description = "Name of the Cloud SQL instance."
  value       = google_sql_database_instance.main.name
}

output "cloudsql_user" {
  description = "Flyte database user."
  value       = google_sql_user.flyte.name
}

output "cloudsql_database" {
  description = "Flyte database name."
  value       = google_sql_database.flyte.name
}

output "gke_cluster_name" {
  description = "GKE cluster name."
  value       = google_container_cluster.main.name
}

output "gke_cluster_location" {
  description = "GKE cluster location (its region)."
  value       = google_container_cluster.main.location
}

output "bucket_name" {
  description = "Bucket for Flyte metadata and user data."
  value       = google_storage_bucket.data.name
}

output "project_id" {
  description = "GCP project ID."
  value       = var.project_id
}

output "service_account" {
  description = "Email of the Google service account flyte-binary runs as."
  value       = google_service_account.flyte.email
}

# Replaces tasks_service_account (one account for every domain), which the module no longer gives.
output "task_service_accounts" {
  description = "Email of the Google service account task pods run as, by Flyte domain (each writes only its own domain's objects)."
  value       = { for domain, account in google_service_account.domain_tasks : domain => account.email }
}

output "pods_cidr" {
  description = "Pod address range of the cluster (the task namespaces' NetworkPolicy excepts it from outside addresses)."
  value       = var.pods_cidr
}

# Null (and so absent from `terraform output -json`) when ingress is off.
output "static_ip_address" {
  description = "Global static IP of the Ingress."
  value       = one(google_compute_global_address.ingress[*].address)
}

output "static_ip_name" {
  description = "Name of the global static IP of the Ingress."
  value       = one(google_compute_global_address.ingress[*].name)
}

output "network_name" {
  description = "The VPC; a destroy releases Cloud SQL's peering on it before Terraform deletes it."
  value       = google_compute_network.vpc.name
}

# What the cluster really has (read from the state), not the variable: an existing Autopilot
# cluster keeps public nodes until migrated (docs/private-nodes.md).
output "private_nodes" {
  description = "Whether every node the module manages has internal IP addresses only (Autopilot: the cluster's default; Standard: every node pool)."
  value = (
    var.autopilot_cluster
    ? one(google_container_cluster.main.private_cluster_config[*].enable_private_nodes)
    : alltrue([
      for pool in concat(google_container_node_pool.default, google_container_node_pool.gpu) :
      pool.network_config[0].enable_private_nodes
    ])
  )
}

output "nat_router" {
  description = "Cloud Router holding the Cloud NAT gateway through which the cluster's subnet reaches the internet."
  value       = google_compute_router.nat.name
}

# Null (and so absent from `terraform output -json`) for Flyte 1.
output "flyte2_tasks_service_account" {
  description = "Email of the Google service account Flyte 2 task pods run as (the default service account of flyte2_task_namespace); null for Flyte 1."
  value       = one(google_service_account.flyte2_tasks[*].email)
}
