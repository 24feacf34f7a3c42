// Command defenderfake serves internal/defendertest's fake Defender API
// with a generated export, for measuring a real m365beat process:
//
//	go run ./internal/defendertest/defenderfake -records 500000 -files 5
//
// It prints the base URL (use it as login_url and api_url; tenant, client
// id and secret are defendertest's constants) and serves until killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/m365beat/m365beat/internal/defendertest"
)

func main() {
	records := flag.Int("records", 500000, "export records")
	files := flag.Int("files", 5, "export files")
	flag.Parse()
	dir, err := os.MkdirTemp("", "defenderfake")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	srv := defendertest.New()
	defer srv.Close()
	fs, err := defendertest.CompressedFiles(dir, *records, *files)
	if err != nil {
		log.Fatal(err)
	}
	srv.Lock()
	srv.Files = fs
	srv.Unlock()
	fmt.Printf("url=%s tenant_id=%s client_id=%s client_secret=%s\n", srv.URL, defendertest.TenantID, defendertest.ClientID, defendertest.ClientSecret)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
}
