// Package graphapi is the m365beat input (type "graphapi") that polls the
// Microsoft Graph Security API v1.0 — /security/alerts_v2 and
// /security/incidents — of one tenant. Several inputs collect several
// tenants in one process.
//
// Configuration (one entry of m365beat.inputs):
//
//	m365beat.inputs:
//	  - type: graphapi
//	    id: contoso                      # keys the stream cursors in the state store
//	    data_stream.namespace: default
//	    tenant_id: ...
//	    client_id: ...
//	    client_secret: ${GRAPH_CLIENT_SECRET}   # or:
//	    #certificate: /etc/m365beat/app.crt      # PEM certificate registered on the app
//	    #private_key: /etc/m365beat/app.key      # PEM RSA key (PKCS#1, PKCS#8, encrypted PKCS#8)
//	    #private_key_passphrase: ${KEY_PASSPHRASE}
//	    cloud: public                    # public | gcc | gcc_high | dod
//	    #login_url: https://login.microsoftonline.com   # overrides the cloud preset
//	    #graph_url: https://graph.microsoft.com         # scope is always <graph_url>/.default
//	    #proxy_url: http://proxy:3128    # also proxy_headers, proxy_disable
//	    #ssl: {...}                      # elastic-agent-libs TLS settings
//	    #timeout: 90s                    # per HTTP request
//	    initial_lookback: 24h            # first poll of a stream reads this far back
//	    overlap: 5m                      # window re-read on every poll for late updates
//	    include_unknown_enum_members: true   # sends Prefer: include-unknown-enum-members
//	    dedup_size: 100000               # bound of the (id, lastUpdateDateTime) de-dup set
//	    backoff.init: 1s                 # first retry delay after 5xx / network errors
//	    backoff.max: 5m                  # retry delay cap
//	    streams:
//	      - resource: alerts             # data_stream.dataset: m365_defender.alert
//	        interval: 5m
//	        batch_size: 1000             # $top, 1..2000
//	      - resource: incidents          # data_stream.dataset: m365_defender.incident
//	        interval: 1m
//	        batch_size: 50               # $top, 1..50
//	        include_alerts: true         # $expand=alerts; one message per alert
//
// Every stream also accepts data_stream.dataset, processors, and the
// processor options preserve_original_event and
// preserve_duplicate_custom_fields.
//
// Polling: $filter=lastUpdateDateTime ge <cursor − overlap>, $orderby
// lastUpdateDateTime asc, pages followed through @odata.nextLink, one page
// published before the next is fetched. The cursor of a stream is the newest
// lastUpdateDateTime whose events were all acknowledged; it and the set of
// acknowledged (id, lastUpdateDateTime) versions inside the overlap window
// are kept in the input.Store, so a version is not published twice across
// polls or restarts (except the unacknowledged tail). When an item read
// earlier in a pass comes back with a newer lastUpdateDateTime (it was
// updated while paging, which shifts offset-based pages), the pass is
// repeated from the same point so nothing is skipped.
//
// Errors: 429 and 503 wait for Retry-After (seconds or HTTP date); other
// 5xx and network errors are retried with exponential backoff and jitter on
// the same page; 401 renews the token once; 403 logs the missing
// application permission and the poll is retried at the interval; a 5xx on
// incidents with $expand=alerts switches that poll to listing incidents
// without expand and fetching each incident's alerts from alerts_v2; 206 is
// logged. Nothing stops the input but its context.
//
// Metrics, per stream (alerts, incidents) in the input's registry:
// requests_total, pages_total, events_published_total, events_acked_total,
// items_skipped_total (versions already published), retries_total,
// throttled_total, throttled_wait_ms_total, partial_responses_total,
// expand_fallbacks_total, rescans_total, polls_total, poll_errors_total,
// cursor_lag_seconds and errors_by_status.<status|network|token_...>.
package graphapi
