package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/valyala/fastjson"

	"github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/beater"
	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/input/split"
	"github.com/m365beat/m365beat/processors"
)

// NormalizeOptions are the flags of `m365beat normalize`.
type NormalizeOptions struct {
	Type                          string // auto, event, alert, incident, vulnerability
	PreserveOriginalEvent         bool
	PreserveDuplicateCustomFields bool
	Metadata                      bool
}

func normalizeCommand() *cobra.Command {
	var o NormalizeOptions
	c := &cobra.Command{
		Use:   "normalize [FILE ...]",
		Short: "Turn Defender records into ECS documents, offline (stdin when no FILE)",
		Long: `normalize reads Defender records, one JSON value per line, and prints the ECS
document each produces, one JSON object per line. A line may be an Event Hub
message body {"records":[...]}, a JSON array of records, one streaming record,
one Graph alert, one Graph incident (with alerts), or a Graph list response
{"value":[...]}. The documents are exactly what the inputs publish through the
same split step and processors, before routing fields (data_stream.*) are added.
A line that cannot be parsed yields a document with error.message.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			log := logp.NewNopLogger()
			n, err := NewNormalizer(o, log)
			if err != nil {
				return err
			}
			w := bufio.NewWriterSize(cmd.OutOrStdout(), 1<<16)
			defer w.Flush()
			if len(args) == 0 {
				return n.Run(cmd.InOrStdin(), w)
			}
			for _, name := range args {
				f, err := os.Open(name)
				if err != nil {
					return err
				}
				err = n.Run(f, w)
				f.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&o.Type, "type", "auto", "kind of records: auto, event, alert, incident or vulnerability")
	c.Flags().BoolVar(&o.PreserveOriginalEvent, "preserve-original-event", false, "keep event.original (processor option preserve_original_event)")
	c.Flags().BoolVar(&o.PreserveDuplicateCustomFields, "preserve-duplicate-custom-fields", false, "keep m365_defender.* fields copied to ECS fields (processor option preserve_duplicate_custom_fields)")
	c.Flags().BoolVar(&o.Metadata, "metadata", false, "print @metadata (document _id, routing)")
	return c
}

// Normalizer runs records through the split step and the processors.
type Normalizer struct {
	opts  NormalizeOptions
	log   *logp.Logger
	procs map[string]beat.Processor // by dataset, built on first use
	enc   *json.Encoder
	out   io.Writer
}

// NewNormalizer checks the options.
func NewNormalizer(o NormalizeOptions, log *logp.Logger) (*Normalizer, error) {
	switch o.Type {
	case "auto", "event", "alert", "incident", "vulnerability":
	default:
		return nil, fmt.Errorf("--type: %q is not one of auto, event, alert, incident, vulnerability", o.Type)
	}
	return &Normalizer{opts: o, log: log, procs: map[string]beat.Processor{}}, nil
}

// Run normalizes every line of r and writes the documents to w. It fails
// only on I/O errors and unavailable processors, not on bad records.
func (n *Normalizer) Run(r io.Reader, w io.Writer) error {
	n.out = w
	n.enc = json.NewEncoder(w)
	n.enc.SetEscapeHTML(false)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if perr := n.Line(bytes.TrimRight(line, "\r\n")); perr != nil {
				return perr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Line normalizes one input line.
func (n *Normalizer) Line(line []byte) error {
	kind := n.opts.Type
	if kind == "auto" {
		kind = Classify(line)
	}
	switch kind {
	case "event":
		err := split.EventHub(line, func(rec []byte) error { return n.publish(processors.DatasetEvent, rec) })
		if errors.Is(err, split.ErrInvalidJSON) {
			// The router reports the parse error on the document.
			return n.publish(processors.DatasetEvent, line)
		}
		return err
	case "alert", "incident":
		ds := processors.DatasetAlert
		if kind == "incident" {
			ds = processors.DatasetIncident
		}
		pub := func(msg []byte) error { return n.publish(ds, msg) }
		switch {
		case fastjson.ValidateBytes(line) != nil:
			return pub(line) // the processor reports the parse error
		case split.IsList(line) && kind == "incident":
			// Elements of a polled page are serialised key-sorted, as the
			// graphapi input writes them (incident.md §1, alert.md §1).
			return split.IncidentPage(line, pub)
		case split.IsList(line):
			return split.AlertPage(line, pub)
		case kind == "incident":
			return split.Incident(line, pub)
		}
		return pub(line)
	case "vulnerability":
		// One export record, or a SoftwareVulnerabilityChangesByMachine page.
		rec := func(obj []byte) error { return n.publish(processors.DatasetVulnerability, obj) }
		if split.IsList(line) {
			return split.GraphList(line, rec)
		}
		return rec(line)
	}
	return fmt.Errorf("unknown record type %q", kind)
}

// Classify tells what a line holds: "event" (Event Hub body, record array,
// streaming record, or anything unparseable), "alert" or "incident" (one
// Graph object or a list response of them).
func Classify(line []byte) string {
	v, err := fastjson.ParseBytes(line)
	if err != nil || v.Type() != fastjson.TypeObject {
		return "event"
	}
	if v.Exists("records") || v.Exists("properties") || v.Exists("operationName") ||
		bytes.HasPrefix(v.GetStringBytes("category"), []byte("AdvancedHunting-")) {
		return "event"
	}
	if vals := v.Get("value"); vals != nil && vals.Type() == fastjson.TypeArray {
		arr, _ := vals.Array()
		if len(arr) == 0 {
			if bytes.Contains(v.GetStringBytes("@odata.context"), []byte("incidents")) {
				return "incident"
			}
			return "alert"
		}
		v = arr[0]
	}
	if v.Exists("cveId") && v.Exists("deviceId") {
		return "vulnerability"
	}
	t := string(v.GetStringBytes("@odata.type"))
	switch {
	case t == "#microsoft.graph.security.incident", v.Exists("alerts"):
		return "incident"
	case t == "#microsoft.graph.security.alert", v.Exists("alertWebUrl"), v.Exists("evidence"), v.Exists("detectionSource"):
		return "alert"
	case v.Exists("incidentWebUrl"):
		return "incident"
	}
	return "event"
}

func (n *Normalizer) processor(dataset string) (beat.Processor, error) {
	if p, ok := n.procs[dataset]; ok {
		return p, nil
	}
	opts := conf.MustNewConfigFrom(map[string]any{
		"preserve_original_event":          n.opts.PreserveOriginalEvent,
		"preserve_duplicate_custom_fields": n.opts.PreserveDuplicateCustomFields,
	})
	p, err := beater.StreamProcessors(input.Stream{Dataset: dataset, Options: opts}, n.log)
	if err != nil {
		return nil, fmt.Errorf("%s records: %w", dataset, err)
	}
	n.procs[dataset] = p
	return p, nil
}

func (n *Normalizer) publish(dataset string, msg []byte) error {
	p, err := n.processor(dataset)
	if err != nil {
		return err
	}
	ev := &beat.Event{Fields: mapstr.M{"message": string(msg)}}
	out, err := p.Run(ev)
	if err != nil {
		// Processors report record errors on the document; an error here
		// is a bug, but the record must not vanish.
		out = ev
		_, _ = out.Fields.Put("event.original", string(msg))
		appendError(out.Fields, err.Error())
	}
	if out == nil {
		return nil // dropped by a processor on purpose
	}
	doc := mapstr.M{}
	for k, v := range out.Fields {
		doc[k] = v
	}
	if !out.Timestamp.IsZero() {
		doc["@timestamp"] = out.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if n.opts.Metadata && len(out.Meta) > 0 {
		doc["@metadata"] = out.Meta
	}
	return n.enc.Encode(doc)
}

func appendError(m mapstr.M, msg string) {
	prev, _ := m.GetValue("error.message")
	var list []string
	switch p := prev.(type) {
	case []string:
		list = p
	case string:
		list = []string{p}
	}
	_, _ = m.Put("error.message", append(list, msg))
}
