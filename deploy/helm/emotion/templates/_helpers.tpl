{{- define "emotion.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "emotion.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "emotion.labels" -}}
{{ include "emotion.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- /* The bundled Redis: labels of its own, so the server's Service, PDB and HPA never select it. */ -}}
{{- define "emotion.redisName" -}}
{{- printf "%s-redis" (include "emotion.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "emotion.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}-redis
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: rate-limit-store
{{- end -}}

{{- define "emotion.redisLabels" -}}
{{ include "emotion.redisSelectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- /* RATE_LIMIT_STORE: the given Redis, else the bundled one, else none (empty). */ -}}
{{- define "emotion.rateLimitStoreUrl" -}}
{{- with .Values.rateLimitStore -}}
{{- if .url -}}
{{- .url -}}
{{- else if .bundled.enabled -}}
{{- printf "redis://%s:6379" (include "emotion.redisName" $) -}}
{{- end -}}
{{- end -}}
{{- end -}}
