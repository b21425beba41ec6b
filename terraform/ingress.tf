# The global static IP the external HTTP(S) Ingress uses, when ingress is on.

resource "google_compute_global_address" "ingress" {
  count = var.ingress ? 1 : 0

  name         = var.static_ip_name != "" ? var.static_ip_name : "${var.cluster_name}-flyte"
  ip_version   = "IPV4"
  address_type = "EXTERNAL"

  depends_on = [google_project_service.enabled]
}
