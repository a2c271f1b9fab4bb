/**
 * Source groups that read Filebeat, Elastic Agent and Winlogbeat ECS data untouched.
 * Index names from GUIDE.md; vigil-logs-* is where `vigil ingest` writes.
 */
export const DEFAULT_SOURCES = {
  auth: {
    indices: ['filebeat-*', 'logs-system.auth-*', 'vigil-logs-auth-*'],
    fields: {},
    timestamp_field: '@timestamp',
  },
  web: {
    indices: [
      'filebeat-*',
      'logs-nginx.access-*',
      'logs-apache.access-*',
      'vigil-logs-nginx-*',
      'vigil-logs-apache-*',
    ],
    fields: {},
    timestamp_field: '@timestamp',
  },
  windows: { indices: ['winlogbeat-*', 'logs-system.security-*'], fields: {}, timestamp_field: '@timestamp' },
};
