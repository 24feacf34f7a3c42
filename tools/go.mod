module github.com/m365beat/m365beat/tools

go 1.26.0

tool go.elastic.co/go-licence-detector

require (
	github.com/cyphar/filepath-securejoin v0.7.0 // indirect
	github.com/google/licenseclassifier v0.0.0-20260218193730-3cfbab2d0e0d // indirect
	github.com/sergi/go-diff v1.4.0 // indirect
	go.elastic.co/go-licence-detector v0.11.1 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
)
