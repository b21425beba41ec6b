# GKE: Autopilot, or Standard with a default node pool and an optional GPU node pool.

locals {
  gpu_pool_enabled = !var.autopilot_cluster && var.gpu_accelerator_type != ""
}

resource "google_container_cluster" "main" {
  name     = var.cluster_name
  location = var.region

  network    = google_compute_network.vpc.id
  subnetwork = google_compute_subnetwork.nodes.id

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }

  # Nodes get internal addresses only (organisations often forbid VM external IPs with
  # constraints/compute.vmExternalIpAccess) and reach the internet through network.tf's Cloud NAT.
  # In provider 6.50.0 this argument is the cluster's default for new nodes (the API's
  # networkConfig.defaultEnablePrivateNodes). The control plane keeps its public endpoint so the
  # GitHub runner can reach it. No master_ipv4_cidr_block: the cluster uses Private Service
  # Connect, which needs none (docs/private-nodes.md).
  private_cluster_config {
    enable_private_nodes    = var.private_nodes
    enable_private_endpoint = false
  }

  enable_autopilot = var.autopilot_cluster ? true : null

  # Standard: replace the default pool with the managed pools below.
  remove_default_node_pool = var.autopilot_cluster ? null : true
  initial_node_count       = var.autopilot_cluster ? null : 1

  # Autopilot always runs workload identity; Standard needs it switched on.
  dynamic "workload_identity_config" {
    for_each = var.autopilot_cluster ? [] : [1]
    content {
      workload_pool = "${var.project_id}.svc.id.goog"
    }
  }

  release_channel {
    channel = var.release_channel
  }

  # Standard: Dataplane V2, which enforces Kubernetes network policies (Autopilot always has it).
  datapath_provider = var.autopilot_cluster ? null : "ADVANCED_DATAPATH"

  # Standard only: the provider refuses the argument beside enable_autopilot (ConflictsWith, set to
  # any value), and Autopilot's nodes are always shielded. Left unset it takes the provider's
  # default, true, updatable in place, so no existing cluster sees a change (docs/gke-rules.md).
  enable_shielded_nodes = var.autopilot_cluster ? null : true

  # Autopilot's nodes run as the minimal node account too, never the Compute Engine default one
  # (Editor, and disabled in many organisations).
  dynamic "cluster_autoscaling" {
    for_each = var.autopilot_cluster ? [1] : []
    content {
      auto_provisioning_defaults {
        service_account = google_service_account.nodes.email
        oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
        shielded_instance_config {
          enable_secure_boot          = true
          enable_integrity_monitoring = true
        }
      }
    }
  }

  deletion_protection = var.deletion_protection

  # Private nodes pull images through the NAT from their first minute.
  depends_on = [google_project_service.enabled, google_compute_router_nat.nodes]

  # Both apply when a cluster is created; changing them on an existing cluster would recreate it
  # (Dataplane V2) or is refused (Autopilot's node account). Existing clusters keep theirs.
  # private_cluster_config's enable_private_nodes is ForceNew in provider 6.50.0: a cluster made
  # with public nodes must not be replaced when the default flips. Standard pools turn private in
  # place below; an Autopilot cluster keeps its public default until migrated by hand
  # (docs/private-nodes.md). private_endpoint_subnetwork (ForceNew, never set here) keeps
  # whatever GKE reports, so adding the block to an existing cluster changes nothing else.
  lifecycle {
    ignore_changes = [
      datapath_provider,
      cluster_autoscaling,
      private_cluster_config[0].enable_private_nodes,
      private_cluster_config[0].private_endpoint_subnetwork,
    ]
  }
}

resource "google_container_node_pool" "default" {
  count = var.autopilot_cluster ? 0 : 1

  name     = "default"
  cluster  = google_container_cluster.main.id
  location = var.region

  # Without it a new pool starts with no node; autoscaling only acts on pending pods.
  initial_node_count = max(var.node_min_count, 1)

  autoscaling {
    min_node_count = var.node_min_count
    max_node_count = var.node_max_count
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  # Per pool, and updatable in place: an existing public pool turns private without being replaced
  # (GKE recreates its nodes), unlike the cluster-wide default above.
  network_config {
    enable_private_nodes = var.private_nodes
  }

  node_config {
    machine_type    = var.node_machine_type
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    # Shielded nodes with secure boot: only signed boot components run.
    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
  }

  depends_on = [google_compute_router_nat.nodes]

  # initial_node_count forces a new pool when it changes: a pool made without it (or by an
  # earlier version) must not be replaced for it; autoscaling owns the size after creation.
  lifecycle {
    ignore_changes = [initial_node_count, node_config[0].shielded_instance_config]
  }
}

resource "google_container_node_pool" "gpu" {
  count = local.gpu_pool_enabled ? 1 : 0

  name           = "gpu"
  cluster        = google_container_cluster.main.id
  location       = var.region
  node_locations = length(var.gpu_node_locations) > 0 ? var.gpu_node_locations : null

  # Bounds for the whole pool, not per zone, so gpu_max_nodes caps the GPU bill.
  autoscaling {
    total_min_node_count = var.gpu_min_nodes
    total_max_node_count = var.gpu_max_nodes
    location_policy      = "ANY"
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  network_config {
    enable_private_nodes = var.private_nodes
  }

  node_config {
    machine_type    = var.gpu_machine_type
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]

    guest_accelerator {
      type  = var.gpu_accelerator_type
      count = var.gpu_accelerator_count
      gpu_driver_installation_config {
        gpu_driver_version = "DEFAULT"
      }
    }

    # GKE adds this taint to GPU nodes itself; declaring it keeps plans free of diffs.
    taint {
      key    = "nvidia.com/gpu"
      value  = "present"
      effect = "NO_SCHEDULE"
    }

    labels = {
      "flyte-gke/pool" = "gpu"
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    # Shielded nodes with secure boot: only signed boot components run.
    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
  }

  depends_on = [google_compute_router_nat.nodes]

  lifecycle {
    # Secure boot applies to new pools; an existing pool is not recreated for it.
    ignore_changes = [node_config[0].shielded_instance_config]

    precondition {
      condition     = var.gpu_min_nodes <= var.gpu_max_nodes
      error_message = "gpu_min_nodes must not exceed gpu_max_nodes."
    }
  }
}
