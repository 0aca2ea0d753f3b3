package web

import (
	"context"
	"sync"
	"time"

	"github.com/detente/detente/internal/actor"
)

// badges are what the frame of every page says of the signed-in person:
// unread communications, checks waiting for their answer, and whether they
// may write. Asking three services for them on every page cost more than
// a kept page itself, so each person's badges are read again only after
// badgeTTL, or as soon as anyone changes anything through this instance
// (any form sent moves the epoch on). A communication arriving through
// another instance or a worker shows within badgeTTL; what a person may do
// is still decided by the services when they do it.
type badges struct {
	mu    sync.Mutex
	epoch uint64
	m     map[string]badge
}

type badge struct {
	unread, pending int
	canSend         bool
	epoch           uint64
	at              time.Time
}

const (
	badgeTTL  = 3 * time.Second
	badgesMax = 10_000 // people whose badges are kept at once
)

func newBadges() *badges { return &badges{m: map[string]badge{}} }

// changed says something may have changed: every badge is read again.
func (b *badges) changed() {
	b.mu.Lock()
	b.epoch++
	b.mu.Unlock()
}

// of returns a's badges, reading them with read when they are not kept.
func (b *badges) of(ctx context.Context, a actor.Actor, read func(context.Context, actor.Actor) badge) badge {
	now := time.Now()
	b.mu.Lock()
	got, ok := b.m[a.AccountID]
	epoch := b.epoch
	b.mu.Unlock()
	if ok && got.epoch == epoch && now.Sub(got.at) < badgeTTL {
		return got
	}
	got = read(ctx, a)
	got.epoch, got.at = epoch, now
	b.mu.Lock()
	if len(b.m) >= badgesMax {
		for k, v := range b.m {
			if now.Sub(v.at) >= badgeTTL || v.epoch != b.epoch {
				delete(b.m, k)
			}
		}
		if len(b.m) >= badgesMax {
			clear(b.m)
		}
	}
	b.m[a.AccountID] = got
	b.mu.Unlock()
	return got
}
