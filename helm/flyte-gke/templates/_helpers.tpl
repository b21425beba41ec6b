{{/* Labels shared by every object of this chart. */}}
{{- define "flyte-gke.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Object names: the explicit value, else "<release>-<suffix>". */}}
{{- define "flyte-gke.certificateName" -}}
{{- default (printf "%s-cert" .Release.Name) .Values.names.managedCertificate | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "flyte-gke.backendConfigName" -}}
{{- default (printf "%s-backend" .Release.Name) .Values.names.backendConfig | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "flyte-gke.frontendConfigName" -}}
{{- default (printf "%s-frontend" .Release.Name) .Values.names.frontendConfig | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "flyte-gke.ingressName" -}}
{{- default (printf "%s-ingress" .Release.Name) .Values.names.ingress | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "flyte-gke.proxyConfigName" -}}
{{- default (printf "%s-proxy" .Release.Name) .Values.names.proxyConfig | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "flyte-gke.consoleServiceName" -}}
{{- default (printf "%s-console-lb" .Release.Name) .Values.flyte2.console.serviceName | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "flyte-gke.consoleBackendConfigName" -}}
{{- default (printf "%s-console-backend" .Release.Name) .Values.flyte2.console.backendConfig | trunc 63 | trimSuffix "-" -}}
{{- end -}}
