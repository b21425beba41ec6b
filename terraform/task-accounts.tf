# Task pods run user code, as one Google account per Flyte domain, so that one domain's tasks
# cannot write another domain's data. Where Flyte 1.16 writes, and what this does not protect:
# docs/security.md, "Data across domains".

locals {
  # Object names in IAM conditions: projects/_/buckets/BUCKET/objects/NAME. The bucket's name is
  # known before apply, so a plan shows each condition whole.
  objects = "projects/_/buckets/${local.bucket_name}/objects/"

  # Propeller keeps each execution's inputs and outputs under
  # metadata/propeller/PROJECT-DOMAIN-EXECUTION/ (flytepropeller config.go MetadataPrefix,
  # workflow/executor.go constructWorkflowMetadataPrefix).
  execution_prefix = "metadata/propeller/"

  # A domain's own raw data prefix: executions whose raw_output_data_config is
  # gs://BUCKET/raw/DOMAIN write there, and only that domain's account may.
  domain_raw_prefix = "raw/"

  # The chart's rawoutput-prefix, gs://USERDATA/data, shared by every domain (sharded by a hash of
  # the execution, not by domain): new objects only, when task_shared_raw_output is on.
  shared_raw_prefix = "data/"

  # The `default` service account of every PROJECT-DOMAIN namespace, where task pods run, keyed
  # DOMAIN/PROJECT (a slash is in no project or domain name, so keys never collide).
  task_namespaces = { for pair in setproduct(var.flyte_projects, var.flyte_domains) :
    "${pair[1]}/${pair[0]}" => {
      domain    = pair[1]
      namespace = "${pair[0]}-${pair[1]}"
    }
  }

  # Each PROJECT-DOMAIN's executions, less those of another domain whose PROJECT-DOMAIN- begins
  # the same way: executions of project a in staging are a-staging-*, and so are those of project
  # a-staging in development (a-staging-development-*). No object is writable by two domains.
  execution_grants = { for key, ns in local.task_namespaces : key => {
    domain = ns.domain
    prefix = "${local.execution_prefix}${ns.namespace}-"
    except = [for other in values(local.task_namespaces) : "${local.execution_prefix}${other.namespace}-"
    if other.domain != ns.domain && startswith("${other.namespace}-", "${ns.namespace}-")]
  } }
}

# Account IDs: "t", four hex digits of the domain's hash, then the suffix the other accounts use
# (iam.tf): 6 + at most 24 characters. Hex digits never spell "asks", "lyte" or "odes", so no ID
# equals another account's. test/account-ids.test.ts evaluates it.
resource "google_service_account" "domain_tasks" {
  for_each = toset(var.flyte_domains)

  account_id   = "t${substr(sha256(each.key), 0, 4)}-${local.account_suffix}"
  display_name = "Flyte tasks, ${each.key} (${var.cluster_name})"

  depends_on = [google_project_service.enabled]

  lifecycle {
    # Same rule as the other accounts: an existing account keeps its ID.
    ignore_changes = [account_id]
    precondition {
      condition     = length(distinct([for d in var.flyte_domains : substr(sha256(d), 0, 4)])) == length(distinct(var.flyte_domains))
      error_message = "Two flyte_domains hash to the same service account ID prefix; rename one of them."
    }
  }
}

# Each domain's namespaces act as that domain's account, and only as it.
resource "google_service_account_iam_member" "domain_tasks_workload_identity" {
  for_each = local.task_namespaces

  service_account_id = google_service_account.domain_tasks[each.value.domain].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${local.workload_pool}[${each.value.namespace}/default]"

  depends_on = [google_container_cluster.main]

  lifecycle {
    precondition {
      condition     = length(distinct([for ns in values(local.task_namespaces) : ns.namespace])) == length(local.task_namespaces)
      error_message = "Two PROJECT-DOMAIN pairs of flyte_projects and flyte_domains give the same namespace; rename a project."
    }
  }
}

# Reading: every object (inputs propeller wrote, upstream outputs, fast-registered code, data a
# user passes by reference). Not bucket metadata, no signing, no logs role.
resource "google_storage_bucket_iam_member" "domain_tasks_reader" {
  for_each = toset(var.flyte_domains)

  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.domain_tasks[each.key].member
}

# Writing, overwriting and deleting: the domain's own executions, one condition per project.
resource "google_storage_bucket_iam_member" "domain_tasks_executions" {
  for_each = local.execution_grants

  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectUser"
  member = google_service_account.domain_tasks[each.value.domain].member

  condition {
    title       = "flyte-executions-${replace(each.key, "/", "-")}"
    description = "Objects of Flyte executions in ${each.key} (domain/project)."
    expression = join(" && ", concat(
      ["resource.name.startsWith(\"${local.objects}${each.value.prefix}\")"],
      [for name in each.value.except : "!resource.name.startsWith(\"${local.objects}${name}\")"]
    ))
  }
}

# Writing, overwriting and deleting: the domain's own raw data prefix.
resource "google_storage_bucket_iam_member" "domain_tasks_raw_data" {
  for_each = toset(var.flyte_domains)

  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectUser"
  member = google_service_account.domain_tasks[each.key].member

  condition {
    title       = "flyte-raw-data-${each.key}"
    description = "Raw data of Flyte domain ${each.key}."
    expression  = "resource.name.startsWith(\"${local.objects}${local.domain_raw_prefix}${each.key}/\")"
  }
}

# The shared default raw prefix: creating new objects only. Overwriting an object also takes
# storage.objects.delete, which objectCreator lacks, so no domain can replace or delete another's.
resource "google_storage_bucket_iam_member" "domain_tasks_shared_raw_data" {
  for_each = var.task_shared_raw_output ? toset(var.flyte_domains) : toset([])

  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectCreator"
  member = google_service_account.domain_tasks[each.key].member

  condition {
    title       = "flyte-shared-raw-data-create"
    description = "New objects under the chart's default raw output prefix."
    expression  = "resource.name.startsWith(\"${local.objects}${local.shared_raw_prefix}\")"
  }
}
