terraform {
  # 1.11 brings write-only arguments (1.10 ephemeral resources), which keep the database
  # password out of state; the action installs a newer release by default.
  required_version = ">= 1.11.0"

  # Partial configuration: bucket and prefix come from `terraform init -backend-config=...`
  # (the action passes them; by hand: -backend-config=bucket=B -backend-config=prefix=P).
  backend "gcs" {}

  required_providers {
    # One major version: 7.x renamed and removed arguments this module uses.
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7" # 3.7 brings ephemeral "random_password"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
