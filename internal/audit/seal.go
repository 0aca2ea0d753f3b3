package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Sealing. A change writes its entry unsealed, with a sequence number but
// an empty hash, in its own transaction and without any lock; the sealer
// later links the entries into the chain in sequence order, a batch per
// transaction, under the chain lock that only one instance holds at a time.
// Writers therefore never wait for each other on the audit log, while the
// chain keeps one strict order.
//
// On PostgreSQL numbers come from a sequence, so a transaction that rolled
// back leaves a hole. The sealer stops at a hole; if it is still there on a
// later pass, at least holeGrace later, it inserts a "skipped" entry in its
// place. That insert waits for a transaction still writing that number, so
// an entry that commits late is sealed, never replaced.

const (
	sealBatch = 1000
	holeGrace = time.Second
	// skippedAction marks a number no change used.
	skippedAction = "audit.skipped"
)

// SealConfig says how the sealer signs checkpoints of the chain's head.
type SealConfig struct {
	// Key signs checkpoints; nil writes none.
	Key ed25519.PrivateKey
	// Every and Interval: a checkpoint once the head has moved Every
	// entries, or Interval after the last one if it moved at all.
	Every    int64
	Interval time.Duration
	Log      *slog.Logger
}

// Sealer links unsealed entries into the chain and signs checkpoints.
type Sealer struct {
	log  *Log
	cfg  SealConfig
	hole struct {
		seq  int64
		seen time.Time
	}
	// head is where this sealer last left the chain. Finding the head
	// afresh walks back over every entry not yet sealed, which a large
	// backlog makes slow for each of its batches; the kept head is checked
	// in two reads instead (headOf), and another sealer having moved on
	// sends it back to the walk.
	head Head
}

// NewSealer returns a sealer for l.
func NewSealer(l *Log, cfg SealConfig) *Sealer {
	if cfg.Every <= 0 {
		cfg.Every = 1000
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 10 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Sealer{log: l, cfg: cfg}
}

// Run seals every poll until ctx ends, and once more on the way out so a
// clean shutdown leaves nothing unsealed that it wrote.
func (s *Sealer) Run(ctx context.Context, poll time.Duration) {
	for {
		if _, err := s.Seal(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Warn("sealing the audit log", "err", err)
		}
		select {
		case <-ctx.Done():
			if _, err := s.Flush(context.WithoutCancel(ctx)); err != nil {
				s.cfg.Log.Warn("sealing the audit log at shutdown", "err", err)
			}
			return
		case <-time.After(poll):
		}
	}
}

// Seal seals every entry it can reach and returns how many it sealed. It
// returns at once, sealing nothing, while another instance holds the chain:
// that one is sealing them.
func (s *Sealer) Seal(ctx context.Context) (int, error) { return s.seal(ctx, false) }

// Flush is Seal that waits for another instance to finish sealing first,
// for a process on its way out: an interrupted sealer elsewhere may hold
// the lock for a moment after its work was cut short.
func (s *Sealer) Flush(ctx context.Context) (int, error) { return s.seal(ctx, true) }

func (s *Sealer) seal(ctx context.Context, wait bool) (int, error) {
	total := 0
	for {
		n, more, err := s.sealBatch(ctx, wait)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// sealBatch seals up to sealBatch entries in one transaction; more says
// whether another batch may be waiting.
func (s *Sealer) sealBatch(ctx context.Context, wait bool) (sealed int, more bool, err error) {
	l := s.log
	now := l.clock.Now()
	var next Head
	err = l.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := l.db.LockAuditChain(ctx, tx, wait)
		if err != nil || !ok {
			return err
		}
		head, err := s.headOf(ctx, tx)
		if err != nil {
			return err
		}
		batch, err := unsealedEntries(ctx, tx, sealBatch)
		if err != nil {
			return err
		}
		prev, want := head.Hash, head.Seq+1
		var done []Entry
		for _, e := range batch {
			if e.Seq != want {
				// A hole below e: fill it once it has outlived holeGrace.
				if s.hole.seq == want && now.Sub(s.hole.seen) >= holeGrace {
					if err := skip(ctx, tx, want, now); err != nil {
						return err
					}
					more = true
				} else if s.hole.seq != want {
					s.hole.seq, s.hole.seen = want, now
				}
				break
			}
			e.PrevHash = prev
			e.Hash = e.computeHash()
			done = append(done, e)
			prev, want = e.Hash, want+1
		}
		if err := writeSeals(ctx, l.db.Engine, tx, done); err != nil {
			return err
		}
		sealed = len(done)
		if len(done) == len(batch) && len(batch) == sealBatch {
			more = true
		}
		if len(done) > 0 {
			head = Head{Seq: done[len(done)-1].Seq, Hash: done[len(done)-1].Hash}
		}
		next = head
		return s.checkpoint(ctx, tx, head, now)
	})
	if err == nil {
		s.head = next
	} else {
		s.head = Head{} // find it afresh next time
	}
	return sealed, more, err
}

// headOf is the chain's last sealed entry: the one this sealer left, if
// it is still sealed as it left it and the entry after it is not, else
// the last sealed entry found by walking back.
func (s *Sealer) headOf(ctx context.Context, tx *sql.Tx) (Head, error) {
	if s.head.Seq > 0 {
		kept, err := hashAt(ctx, tx, s.head.Seq)
		if err != nil {
			return Head{}, err
		}
		after, err := hashAt(ctx, tx, s.head.Seq+1)
		if err != nil {
			return Head{}, err
		}
		if kept == s.head.Hash && after == "" {
			return s.head, nil
		}
	}
	return sealedHead(ctx, tx)
}

// Head is a position in the chain: a sequence number and the hash there.
type Head struct {
	Seq  int64
	Hash string
}

func (h Head) String() string { return strconv.FormatInt(h.Seq, 10) + ":" + h.Hash }

// ParseHead reads "SEQ:HASH", the form `detente audit verify -expect` takes.
func ParseHead(s string) (Head, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n < 1 || len(hash) != 64 {
		return Head{}, errors.New("use SEQ:HASH, e.g. 1234:9f86d081884c7d65…, with the 64 hex digits of the entry's hash")
	}
	if _, err := hex.DecodeString(hash); err != nil {
		return Head{}, errors.New("the hash must be 64 hex digits")
	}
	return Head{Seq: n, Hash: strings.ToLower(hash)}, nil
}

// skip fills the hole at seq with an entry saying no change used it,
// digesting no details, as Append does for a change without any.
func skip(ctx context.Context, tx *sql.Tx, seq int64, now time.Time) error {
	sum := sha256.Sum256([]byte("null"))
	if err := fillHole(ctx, tx, seq, now.UTC().Truncate(time.Microsecond), hex.EncodeToString(sum[:])); err != nil {
		return fmt.Errorf("audit: fill hole at %d: %w", seq, err)
	}
	return nil
}

// checkpoint signs head when it has moved far enough or long enough ago.
func (s *Sealer) checkpoint(ctx context.Context, tx *sql.Tx, head Head, now time.Time) error {
	if s.cfg.Key == nil || head.Seq == 0 {
		return nil
	}
	last, lastAt, err := lastCheckpoint(ctx, tx)
	if err != nil {
		return fmt.Errorf("audit: last checkpoint: %w", err)
	}
	moved := head.Seq - last.Int64
	if moved <= 0 || (moved < s.cfg.Every && lastAt.Valid && now.Sub(lastAt.Time) < s.cfg.Interval) {
		return nil
	}
	at := now.UTC().Truncate(time.Microsecond)
	sig := ed25519.Sign(s.cfg.Key, checkpointMessage(head, at))
	pub := s.cfg.Key.Public().(ed25519.PublicKey)
	if err := insertCheckpoint(ctx, tx, signedCheckpoint{head: head, at: at, keyID: KeyID(pub), signature: base64.StdEncoding.EncodeToString(sig)}); err != nil {
		return fmt.Errorf("audit: checkpoint: %w", err)
	}
	// The log line is a copy kept outside the database: with it an
	// operator can hand `audit verify -expect` a head no one could delete.
	s.cfg.Log.Info("audit checkpoint", "head", head.String())
	return nil
}

// checkpointMessage is what a checkpoint's signature covers.
func checkpointMessage(h Head, at time.Time) []byte {
	return []byte("detente audit checkpoint\n" + strconv.FormatInt(h.Seq, 10) + "\n" + h.Hash + "\n" + at.UTC().Format(time.RFC3339Nano) + "\n")
}

// KeyID names a public key by the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}
