{{/* Names, labels, and the per-service settings every template shares. */}}

{{- define "eventyard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name; "-<service>" is appended per service, so it is kept to 47 characters. */}}
{{- define "eventyard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 47 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "eventyard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels. Call with (dict "root" $ "component" "router"); component may be empty. */}}
{{- define "eventyard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "eventyard.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{/* Standard labels. Call with (dict "root" $ "component" "router"). */}}
{{- define "eventyard.labels" -}}
helm.sh/chart: {{ include "eventyard.chart" .root }}
{{ include "eventyard.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Values.image.tag | default .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: eventyard
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{- define "eventyard.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{- define "eventyard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "eventyard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
One service's settings: serviceDefaults overridden by services.<name>, key by key, two levels deep (a
sprig merge would ignore overrides to false or 0). Returns YAML; use with fromYaml.
Call with (dict "defaults" .Values.serviceDefaults "overrides" .Values.services.router).
*/}}
{{- define "eventyard.serviceSettings" -}}
{{- $merged := deepCopy .defaults }}
{{- range $key, $value := .overrides }}
{{- $current := get $merged $key }}
{{- if and (kindIs "map" $value) (kindIs "map" $current) }}
{{- $inner := deepCopy $current }}
{{- range $k, $v := $value }}
{{- $_ := set $inner $k $v }}
{{- end }}
{{- $_ := set $merged $key $inner }}
{{- else }}
{{- $_ := set $merged $key $value }}
{{- end }}
{{- end }}
{{- toYaml $merged }}
{{- end }}

{{/* The chart's own Secret: database URL and SASL password when they are not in an existingSecret. */}}
{{- define "eventyard.secretName" -}}
{{- include "eventyard.fullname" . }}
{{- end }}

{{/*
The admin token's Secret and key: the user's (adminAuth.existingSecret), or the chart's own
<fullname>-admin-token (admin-token-secret.yaml), which holds a random token unless one is given.
*/}}
{{- define "eventyard.adminTokenSecretName" -}}
{{- .Values.adminAuth.existingSecret | default (printf "%s-admin-token" (include "eventyard.fullname" .)) }}
{{- end }}

{{- define "eventyard.adminTokenSecretKey" -}}
{{- if .Values.adminAuth.existingSecret }}{{ .Values.adminAuth.existingSecretKey }}{{ else }}token{{ end }}
{{- end }}

{{/*
The key sealing processor secrets at rest (EY_SECRETS_KEY): the user's Secret (secretsEncryption.existingSecret)
or the chart's own <fullname>-secrets-key (secrets-key-secret.yaml), a random key kept across upgrades.
*/}}
{{- define "eventyard.secretsKeySecretName" -}}
{{- .Values.secretsEncryption.existingSecret | default (printf "%s-secrets-key" (include "eventyard.fullname" .)) }}
{{- end }}

{{- define "eventyard.secretsKeySecretKey" -}}
{{- if .Values.secretsEncryption.existingSecret }}{{ .Values.secretsEncryption.existingSecretKey }}{{ else }}key{{ end }}
{{- end }}

{{- define "eventyard.needsSecret" -}}
{{- if or (not .Values.postgres.existingSecret) (and .Values.kafka.sasl.mechanism (not .Values.kafka.sasl.existingSecret)) }}true{{ end }}
{{- end }}

{{/* The database URL built from values (url, or the parts with the password), for the chart's Secrets. */}}
{{- define "eventyard.databaseUrl" -}}
{{- $pg := .Values.postgres }}
{{- if $pg.url }}
{{- $pg.url }}
{{- else }}
{{- $auth := $pg.user | urlquery }}
{{- if $pg.password }}{{ $auth = printf "%s:%s" $auth ($pg.password | urlquery) }}{{ end }}
{{- printf "postgres://%s@%s:%d/%s" $auth $pg.host (int $pg.port) $pg.database }}
{{- with $pg.params }}?{{ . }}{{ end }}
{{- end }}
{{- end }}

{{/*
EnvVars that carry the database URL into a container, named `name` (EY_DATABASE_URL, DATABASE_URL...).
Call with (dict "root" $ "secretName" "<secret holding database-url>" "names" (list "EY_DATABASE_URL")).
*/}}
{{- define "eventyard.databaseEnv" -}}
{{- $pg := .root.Values.postgres }}
{{- if and $pg.existingSecret $pg.existingSecretUrlKey }}
{{- range .names }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $pg.existingSecret }}
      key: {{ $pg.existingSecretUrlKey }}
{{- end }}
{{- else if $pg.existingSecret }}
- name: EY_DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $pg.existingSecret }}
      key: {{ $pg.existingSecretPasswordKey }}
{{- range .names }}
- name: {{ . }}
  value: {{ printf "postgres://%s:$(EY_DATABASE_PASSWORD)@%s:%d/%s%s" ($pg.user | urlquery) $pg.host (int $pg.port) $pg.database (ternary (printf "?%s" $pg.params) "" (ne $pg.params "")) | quote }}
{{- end }}
{{- else }}
{{- $secretName := .secretName }}
{{- range .names }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secretName }}
      key: database-url
{{- end }}
{{- end }}
{{- end }}

{{/* EnvVars for the Kafka SASL credentials that live in a Secret. */}}
{{- define "eventyard.kafkaSecretEnv" -}}
{{- $sasl := .Values.kafka.sasl }}
{{- if $sasl.mechanism }}
{{- if $sasl.existingSecret }}
{{- if $sasl.existingSecretUsernameKey }}
- name: EY_KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $sasl.existingSecret }}
      key: {{ $sasl.existingSecretUsernameKey }}
{{- end }}
- name: EY_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $sasl.existingSecret }}
      key: {{ $sasl.existingSecretPasswordKey }}
{{- else }}
- name: EY_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "eventyard.secretName" . }}
      key: kafka-sasl-password
{{- end }}
{{- end }}
{{- end }}

{{/* Where the Kafka CA is mounted. */}}
{{- define "eventyard.kafkaCaDir" -}}
/etc/eventyard/kafka-ca
{{- end }}

{{/* Where the listeners' TLS Secret (tls.existingSecret) and the processors' TLS Secrets are mounted. */}}
{{- define "eventyard.tlsDir" -}}
/etc/eventyard/tls
{{- end }}
{{- define "eventyard.processorTlsDir" -}}
/etc/eventyard/processor-tls
{{- end }}
{{/* Where the Secrets of sources on other Kafka clusters (SASL credentials, CAs) are mounted in the producer. */}}
{{- define "eventyard.sourcesDir" -}}
/etc/eventyard/sources
{{- end }}
{{- define "eventyard.readsSources" -}}
{{- if and .root.Values.sources.secrets (eq .name "producer") }}true{{ end }}
{{- end }}

{{/* Services with API listeners (serve tls.existingSecret) and services that dial processors (mount processorTls.secrets). */}}
{{- define "eventyard.servesTls" -}}
{{- if and .root.Values.tls.existingSecret (has .name (list "producer" "admin")) }}true{{ end }}
{{- end }}
{{- define "eventyard.dialsProcessors" -}}
{{- if and .root.Values.processorTls.secrets (has .name (list "dispatcher" "delay-scheduler")) }}true{{ end }}
{{- end }}

{{/* Combinations the schema cannot express; fails the render with a message naming the values. */}}
{{- define "eventyard.validate" -}}
{{- $pg := .Values.postgres }}
{{- if and (not $pg.url) (not $pg.host) (not (and $pg.existingSecret $pg.existingSecretUrlKey)) }}
{{- fail "postgres: set postgres.url, postgres.host, or postgres.existingSecret with postgres.existingSecretUrlKey" }}
{{- end }}
{{- $sasl := .Values.kafka.sasl }}
{{- if $sasl.mechanism }}
{{- if and (not $sasl.username) (not (and $sasl.existingSecret $sasl.existingSecretUsernameKey)) }}
{{- fail "kafka.sasl: kafka.sasl.username (or kafka.sasl.existingSecret with existingSecretUsernameKey) is required when kafka.sasl.mechanism is set" }}
{{- end }}
{{- if and (not $sasl.password) (not $sasl.existingSecret) }}
{{- fail "kafka.sasl: kafka.sasl.password or kafka.sasl.existingSecret is required when kafka.sasl.mechanism is set" }}
{{- end }}
{{- end }}
{{- if and .Values.tls.clientCa (not .Values.tls.existingSecret) }}
{{- fail "tls: tls.clientCa needs tls.existingSecret (the Secret's ca.crt verifies client certificates)" }}
{{- end }}
{{- if and .Values.tls.requireClientCert (not .Values.tls.clientCa) }}
{{- fail "tls: tls.requireClientCert needs tls.clientCa (the CA client certificates are verified against)" }}
{{- end }}
{{- if and .Values.kafka.tls.caSecret (not .Values.kafka.tls.enabled) }}
{{- fail "kafka.tls: kafka.tls.caSecret is set but kafka.tls.enabled is false" }}
{{- end }}
{{- end }}
