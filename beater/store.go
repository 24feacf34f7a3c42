package beater

import (
	"encoding/json"
	"fmt"

	"github.com/elastic/beats/v7/libbeat/statestore"
)

// store is an input.Store on libbeat's state store. Keys are prefixed with
// the input id so inputs cannot see each other's state. Values round-trip
// through JSON (so inputs use ordinary json tags), wrapped in an object
// because the state store keeps objects.
type store struct {
	s      *statestore.Store
	prefix string
}

type envelope struct {
	V map[string]any `struct:"v"`
}

func newStore(s *statestore.Store, inputID string) *store {
	return &store{s: s, prefix: "m365beat::" + inputID + "::"}
}

func (st *store) Get(key string, into any) error {
	var env envelope
	if err := st.s.Get(st.prefix+key, &env); err != nil {
		return err
	}
	b, err := json.Marshal(env.V["value"])
	if err != nil {
		return fmt.Errorf("state %q: %w", key, err)
	}
	return json.Unmarshal(b, into)
}

func (st *store) Has(key string) (bool, error) { return st.s.Has(st.prefix + key) }

func (st *store) Set(key string, from any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return fmt.Errorf("state %q: %w", key, err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	return st.s.Set(st.prefix+key, envelope{V: map[string]any{"value": v}})
}

func (st *store) Remove(key string) error { return st.s.Remove(st.prefix + key) }
