package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"

	"github.com/detente/detente/internal/store"
)

// VerifyOptions add outside knowledge to a verification.
type VerifyOptions struct {
	// Key checks the checkpoints' signatures; nil checks only that each
	// checkpoint matches the chain.
	Key ed25519.PublicKey
	// Expect is a head kept outside the database (from a checkpoint's log
	// line, say): the chain must reach it with that hash.
	Expect *Head
	// Workers verify ranges of the chain at once; default 4.
	Workers int
	// RangeSize is the most entries one worker checks; default an equal
	// share of the chain, at least 10,000.
	RangeSize int64
}

// Report is what a verification found intact.
type Report struct {
	Entries     int64 // sealed entries, all linked
	Unsealed    int64 // entries written and not yet sealed
	Head        Head  // the last sealed entry
	Checkpoints int   // checkpoints that matched the chain
	Signed      int   // of those, whose signature was checked
}

// Verify checks the whole sealed chain and returns the number of entries
// checked, and a *Broken error naming the first bad link.
func (l *Log) Verify(ctx context.Context) (int64, error) {
	r, err := l.VerifyWith(ctx, VerifyOptions{})
	return r.Entries, err
}

// VerifyWith checks the sealed chain in parallel ranges over the reader
// pool, then the signed checkpoints and the expected head against it. A
// *Broken error names the first entry that fails; Report.Entries counts
// the intact entries before it.
func (l *Log) VerifyWith(ctx context.Context, opt VerifyOptions) (Report, error) {
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	var r Report
	last, err := lastSealed(ctx, l.db.R)
	if err != nil {
		return r, err
	}
	firstUnsealed, unsealed, err := unsealedSpan(ctx, l.db.R)
	if err != nil {
		return r, err
	}
	r.Unsealed = unsealed
	// The sealer seals in order: an unsealed entry below a sealed one was
	// unsealed by someone else.
	if firstUnsealed.Valid && firstUnsealed.Int64 < last {
		r.Entries = firstUnsealed.Int64 - 1
		return r, &Broken{Seq: firstUnsealed.Int64, Reason: "entry lost its seal while later entries are sealed"}
	}

	broken := l.verifyRanges(ctx, last, opt.Workers, opt.RangeSize)
	if broken != nil {
		var b *Broken
		if errors.As(broken, &b) {
			r.Entries = b.Seq - 1
		}
		return r, broken
	}
	r.Entries = last
	r.Head = Head{Seq: 0, Hash: genesis}
	if last > 0 {
		if r.Head.Hash, err = entryHash(ctx, l.db.R, last); err != nil {
			return r, err
		}
		r.Head.Seq = last
	}

	cps, err := checkpoints(ctx, l.db.R)
	if err != nil {
		return r, err
	}
	for _, c := range cps {
		if opt.Key != nil {
			sig, err := base64.StdEncoding.DecodeString(c.signature)
			if err != nil || c.keyID != KeyID(opt.Key) || !ed25519.Verify(opt.Key, checkpointMessage(c.head, c.at), sig) {
				return r, &Broken{Seq: c.head.Seq, Reason: fmt.Sprintf("the checkpoint at entry %d is not signed by the configured key (key %s)", c.head.Seq, c.keyID)}
			}
			r.Signed++
		}
		if err := l.reaches(ctx, last, c.head, "a checkpoint"); err != nil {
			return r, err
		}
		r.Checkpoints++
	}
	if opt.Expect != nil {
		if err := l.reaches(ctx, last, *opt.Expect, "the expected head"); err != nil {
			return r, err
		}
	}
	return r, nil
}

// reaches checks that the sealed chain, ending at last, contains h.
func (l *Log) reaches(ctx context.Context, last int64, h Head, what string) error {
	if h.Seq > last {
		return &Broken{Seq: last + 1, Reason: fmt.Sprintf("entries %d to %d are missing: %s says the log reached entry %d", last+1, h.Seq, what, h.Seq)}
	}
	hash, err := entryHash(ctx, l.db.R, h.Seq)
	if err != nil {
		return err
	}
	if hash != h.Hash {
		return &Broken{Seq: h.Seq, Reason: fmt.Sprintf("entry %d does not have the hash %s records", h.Seq, what)}
	}
	return nil
}

// verifyRanges splits 1..last into ranges, verifies them at once, and
// returns the lowest break found.
func (l *Log) verifyRanges(ctx context.Context, last int64, workers int, size int64) error {
	if last == 0 {
		return nil
	}
	if size <= 0 {
		size = max((last+int64(workers)-1)/int64(workers), 10000) // small logs: one range
	}
	var ranges [][2]int64
	for from := int64(1); from <= last; from += size {
		ranges = append(ranges, [2]int64{from, min(from+size-1, last)})
	}
	errs := make([]error, len(ranges))
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for i, rg := range ranges {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = l.verifyRange(ctx, rg[0], rg[1])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// verifyRange checks entries from..to: each present, each linked to the
// one before (for from, the entry before the range), each hash its own.
func (l *Log) verifyRange(ctx context.Context, from, to int64) error {
	prev := genesis
	if from > 1 {
		var err error
		prev, err = entryHash(ctx, l.db.R, from-1)
		if store.NoRows(err) {
			return &Broken{Seq: from - 1, Reason: "entry missing"}
		}
		if err != nil {
			return err
		}
	}
	want := from
	err := eachEntry(ctx, l.db.R, from, to, func(e Entry) error {
		switch {
		case e.Seq != want:
			return &Broken{Seq: want, Reason: fmt.Sprintf("entry missing (next entry is %d)", e.Seq)}
		case e.PrevHash != prev:
			return &Broken{Seq: e.Seq, Reason: "previous hash does not match the entry before it"}
		case e.computeHash() != e.Hash:
			return &Broken{Seq: e.Seq, Reason: "entry was altered after it was written"}
		}
		prev, want = e.Hash, want+1
		return nil
	})
	if err != nil {
		return err
	}
	if want != to+1 {
		return &Broken{Seq: want, Reason: "entry missing"}
	}
	return nil
}
