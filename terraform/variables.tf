# Variables the action passes with -var (keep the names: test/hcl-contract.test.ts checks them).

variable "project_id" {
  description = "ID of the GCP project to deploy into."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project ID: 6 to 30 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the cluster, database, bucket and subnets, such as us-central1."
  type        = string
  default     = "us-central1"
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]{1,2}$", var.region))
    error_message = "region must be a region such as us-central1, not a zone."
  }
}

variable "cluster_name" {
  description = "Name of the GKE cluster; also prefixes the names of the network, database and service accounts."
  type        = string
  default     = "flyte"
  validation {
    condition     = can(regex("^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$", var.cluster_name))
    error_message = "cluster_name must be 1 to 40 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "autopilot_cluster" {
  description = "true for GKE Autopilot, false for a Standard cluster with node pools (needed for GPU node pools)."
  type        = bool
  default     = true
}

variable "private_nodes" {
  description = "Nodes get internal IP addresses only and reach the internet through Cloud NAT. false gives nodes external IPs (refused where constraints/compute.vmExternalIpAccess applies). An existing Autopilot cluster keeps its nodes' setting; see docs/private-nodes.md."
  type        = bool
  default     = true
}

variable "node_machine_type" {
  description = "Machine type of the default node pool (Standard clusters only)."
  type        = string
  default     = "e2-standard-4"
}

variable "gpu_accelerator_type" {
  description = "GPU type of the GPU node pool, such as nvidia-tesla-t4 or nvidia-l4. Empty: no GPU node pool. Standard clusters only."
  type        = string
  default     = ""
  validation {
    condition     = var.gpu_accelerator_type == "" || can(regex("^nvidia-[a-z0-9-]+$", var.gpu_accelerator_type))
    error_message = "gpu_accelerator_type must be empty or a GPU type such as nvidia-tesla-t4."
  }
}

variable "gpu_machine_type" {
  description = "Machine type of the GPU node pool."
  type        = string
  default     = "n1-standard-4"
}

variable "gpu_accelerator_count" {
  description = "GPUs attached to each node of the GPU node pool."
  type        = number
  default     = 1
  validation {
    condition     = var.gpu_accelerator_count >= 1 && var.gpu_accelerator_count <= 16
    error_message = "gpu_accelerator_count must be from 1 to 16."
  }
}

variable "gpu_min_nodes" {
  description = "Autoscaling minimum of the GPU node pool, across all its zones."
  type        = number
  default     = 0
  validation {
    condition     = var.gpu_min_nodes >= 0
    error_message = "gpu_min_nodes must be 0 or more."
  }
}

variable "gpu_max_nodes" {
  description = "Autoscaling maximum of the GPU node pool, across all its zones."
  type        = number
  default     = 2
  validation {
    condition     = var.gpu_max_nodes >= 1
    error_message = "gpu_max_nodes must be 1 or more."
  }
}

variable "deletion_protection" {
  description = "Protect the cluster and database from deletion and keep the bucket's objects on destroy. Set false before destroying."
  type        = bool
  default     = true
}

variable "namespace" {
  description = "Kubernetes namespace of the flyte-binary release."
  type        = string
  default     = "flyte"
}

variable "release_name" {
  description = "Helm release name of flyte-binary; its Kubernetes service account is RELEASE-flyte-binary."
  type        = string
  default     = "flyte-backend"
}

variable "flyte_service_account_name" {
  description = "Kubernetes service account flyte-binary runs as (the action passes the chart's name for it). Empty: derived from release_name."
  type        = string
  default     = ""
}

variable "flyte_projects" {
  description = "Flyte projects whose PROJECT-DOMAIN namespaces run task pods as their domain's service account."
  type        = list(string)
  default     = ["flytesnacks"]
  validation {
    condition     = alltrue([for p in var.flyte_projects : can(regex("^[a-z]([a-z0-9-]{0,49}[a-z0-9])?$", p))])
    error_message = "Each flyte_projects entry must be lowercase letters, digits and hyphens, starting with a letter, at most 51 characters."
  }
}

variable "ingress" {
  description = "Reserve a global static IP for the Flyte Ingress."
  type        = bool
  default     = false
}

variable "static_ip_name" {
  description = "Name of the global static IP (used when ingress is true). Empty: CLUSTER_NAME-flyte."
  type        = string
  default     = ""
  validation {
    condition     = var.static_ip_name == "" || can(regex("^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.static_ip_name))
    error_message = "static_ip_name must be a Compute Engine name: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "iap" {
  description = "Enable the Identity-Aware Proxy API (the action configures IAP on the Ingress backend)."
  type        = bool
  default     = false
}

# Flyte 2 runs every task pod in one namespace; the action passes it with flyte-version 2.
variable "flyte2_task_namespace" {
  description = "Flyte 2 only: the namespace all Flyte 2 task pods run in (NAMESPACE-tasks). Set: one Google account for them, bound to that namespace's default service account (flyte2-tasks.tf). Null (Flyte 1): nothing is created."
  type        = string
  default     = null
  validation {
    condition     = var.flyte2_task_namespace == null || can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.flyte2_task_namespace))
    error_message = "flyte2_task_namespace must be a Kubernetes namespace name: lowercase letters, digits and hyphens, at most 63 characters."
  }
}

# Tuning knobs the action does not pass; set them in a .tfvars file.

variable "flyte_domains" {
  description = "Flyte domains; each project gets one namespace per domain."
  type        = list(string)
  default     = ["development", "staging", "production"]
}

variable "task_shared_raw_output" {
  description = "Let task pods create new objects (never overwrite or delete) under the chart's shared raw output prefix data/. false once every project-domain's raw_output_data_config is gs://BUCKET/raw/DOMAIN (docs/security.md)."
  type        = bool
  default     = true
}

variable "release_channel" {
  description = "GKE release channel: RAPID, REGULAR, STABLE or EXTENDED."
  type        = string
  default     = "REGULAR"
  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE", "EXTENDED"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR, STABLE or EXTENDED."
  }
}

variable "node_min_count" {
  description = "Autoscaling minimum of the default node pool, per zone (Standard clusters)."
  type        = number
  default     = 1
}

variable "node_max_count" {
  description = "Autoscaling maximum of the default node pool, per zone (Standard clusters)."
  type        = number
  default     = 3
}

variable "gpu_node_locations" {
  description = "Zones of the GPU node pool (not every zone has every GPU type). Empty: the cluster's zones."
  type        = list(string)
  default     = []
}

variable "subnet_cidr" {
  description = "Primary range of the cluster subnet (nodes)."
  type        = string
  default     = "10.10.0.0/20"
}

variable "pods_cidr" {
  description = "Secondary range for pods."
  type        = string
  default     = "10.20.0.0/14"
}

variable "services_cidr" {
  description = "Secondary range for services."
  type        = string
  default     = "10.24.0.0/20"
}

variable "private_services_prefix_length" {
  description = "Size of the range reserved for private services access (Cloud SQL private IP)."
  type        = number
  default     = 16
}

variable "database_version" {
  description = "Cloud SQL PostgreSQL version."
  type        = string
  default     = "POSTGRES_15"
  validation {
    condition     = startswith(var.database_version, "POSTGRES_")
    error_message = "database_version must be a PostgreSQL version such as POSTGRES_15."
  }
}

variable "database_availability_type" {
  description = "Cloud SQL availability: ZONAL (one zone) or REGIONAL (a standby in another zone, for production)."
  type        = string
  default     = "ZONAL"

  validation {
    condition     = contains(["ZONAL", "REGIONAL"], var.database_availability_type)
    error_message = "database_availability_type must be ZONAL or REGIONAL."
  }
}

variable "database_tier" {
  description = "Cloud SQL machine tier."
  type        = string
  default     = "db-custom-1-3840"
}

variable "database_name" {
  description = "Name of the Flyte database."
  type        = string
  default     = "flyte"
}

variable "database_user" {
  description = "Name of the Flyte database user."
  type        = string
  default     = "flytepg"
}

variable "bucket_name" {
  description = "Name of the Flyte data bucket. Empty: PROJECT_ID-CLUSTER_NAME-flyte (trimmed to 63 characters)."
  type        = string
  default     = ""
}

variable "retain_backups_on_delete" {
  description = "Keep Cloud SQL's automated and on-demand backups after the instance is deleted (automated ones for their retention, on-demand ones until you delete them)."
  type        = bool
  default     = true
}

variable "database_password_version" {
  description = "Version of the Flyte database password. Raise it (for example in terraform-var-file) to rotate the password: a new Secret Manager version and the Cloud SQL user get a new one in the same apply."
  type        = number
  default     = 1

  validation {
    condition     = var.database_password_version >= 1 && floor(var.database_password_version) == var.database_password_version
    error_message = "database_password_version must be a whole number of 1 or more."
  }
}
