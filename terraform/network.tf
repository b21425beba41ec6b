# A dedicated VPC: nodes, pod and service ranges, private services access so Cloud SQL gets a
# private IP in this VPC, and a Cloud NAT through which private nodes reach the internet. (No
# proxy-only subnet: the one public Ingress serves gRPC too.)

resource "google_compute_network" "vpc" {
  name                    = "${var.cluster_name}-vpc"
  auto_create_subnetworks = false

  depends_on = [google_project_service.enabled]
}

# Private Google Access: private nodes reach Google APIs (Artifact Registry, Cloud Storage) without
# the NAT.
resource "google_compute_subnetwork" "nodes" {
  name                     = "${var.cluster_name}-nodes"
  region                   = var.region
  network                  = google_compute_network.vpc.id
  ip_cidr_range            = var.subnet_cidr
  private_ip_google_access = true

  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = var.pods_cidr
  }

  secondary_ip_range {
    range_name    = "services"
    ip_cidr_range = var.services_cidr
  }
}

resource "google_compute_global_address" "private_services" {
  name          = "${var.cluster_name}-private-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = var.private_services_prefix_length
  network       = google_compute_network.vpc.id
}

resource "google_service_networking_connection" "private_services" {
  network                 = google_compute_network.vpc.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.private_services.name]

  # Deleting the peering right after the database often fails while Cloud SQL releases it;
  # the peering goes away with the network instead.
  deletion_policy = "ABANDON"
}

# Outbound internet for nodes without external IPs: images from ghcr.io, docker.io, quay.io and
# whatever task code downloads. Made whatever private_nodes says: a cluster that stays private
# (an Autopilot cluster's default is never flipped by Terraform, see cluster.tf) must not lose
# its way out, and Cloud NAT bills per VM that uses it, so public nodes cost nothing here.
resource "google_compute_router" "nat" {
  name    = "${var.cluster_name}-nat"
  region  = var.region
  network = google_compute_network.vpc.id
}

resource "google_compute_router_nat" "nodes" {
  name   = "${var.cluster_name}-nodes"
  router = google_compute_router.nat.name
  region = var.region

  # Google picks and adds the external addresses as the number of VMs grows.
  nat_ip_allocate_option = "AUTO_ONLY"

  # Only the cluster's subnet, all of its ranges: node IPs and the pods' alias range, for pod
  # traffic GKE does not masquerade behind the node's address.
  source_subnetwork_ip_ranges_to_nat = "LIST_OF_SUBNETWORKS"
  subnetwork {
    name                    = google_compute_subnetwork.nodes.id
    source_ip_ranges_to_nat = ["ALL_IP_RANGES"]
  }

  # Dropped connections (port exhaustion) show in Cloud Logging; successful ones are not logged.
  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}
