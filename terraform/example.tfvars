# Example variables for running the module by hand:
#   terraform init -backend-config=bucket=my-flyte-project-flyte-tfstate -backend-config=prefix=flyte-gke/flyte
#   terraform apply -var-file=example.tfvars
project_id        = "my-flyte-project"
region            = "us-central1"
cluster_name      = "flyte"
autopilot_cluster = false

node_machine_type = "e2-standard-4"

# A GPU node pool (Standard clusters only); leave gpu_accelerator_type empty for none.
gpu_accelerator_type  = "nvidia-tesla-t4"
gpu_machine_type      = "n1-standard-4"
gpu_accelerator_count = 1
gpu_min_nodes         = 0
gpu_max_nodes         = 2
gpu_node_locations    = ["us-central1-a", "us-central1-b"]

deletion_protection = true

namespace      = "flyte"
release_name   = "flyte-backend"
flyte_projects = ["flytesnacks"]

ingress        = true
static_ip_name = "flyte"
iap            = false
