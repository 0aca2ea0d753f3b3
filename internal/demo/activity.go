package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/pingtest"
)

// Outbox keeps the mail the seeding sends in memory. The seeding answers
// communication checks with the links it finds there, as a POC would by
// following the link in the mail; addresses in refuse bounce.
type Outbox struct {
	mu     sync.Mutex
	mails  []sent
	refuse map[string]bool
}

type sent struct {
	to  string
	raw string
}

// Send records the mail, or refuses it permanently when every recipient
// is one of the addresses set to bounce.
func (o *Outbox) Send(_ context.Context, _ string, to []string, raw []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	bounced := len(to) > 0
	for _, addr := range to {
		bounced = bounced && o.refuse[addr]
	}
	if bounced {
		return mail.Permanent(fmt.Errorf("550 5.1.1 <%s>: mailbox unavailable", to[0]))
	}
	o.mails = append(o.mails, sent{strings.Join(to, ","), string(raw)})
	return nil
}

var checkToken = regexp.MustCompile(`/ping/([A-Za-z0-9_-]{20,})`)

// tokens returns the check tokens mailed since the last call, by
// recipient list; a later mail (a reminder) replaces an earlier token.
func (o *Outbox) tokens() map[string]string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := map[string]string{}
	for _, m := range o.mails {
		if t := checkToken.FindStringSubmatch(strings.ReplaceAll(m.raw, "=\r\n", "")); t != nil {
			out[m.to] = t[1]
		}
	}
	o.mails = nil
	return out
}

// drain performs every job due at the clock's time.
func drain(ctx context.Context, a *app.App) error {
	for {
		n, err := a.Jobs.RunOnce(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

// demoCheck is one communication check in the demo's history.
type demoCheck struct {
	name      string
	opens     time.Time
	levels    []string
	answerPct int  // share of POCs that confirm
	publish   bool // aggregates made public once closed
	repeat    int  // months
}

// seedChecks runs the demo's communication checks through the real
// scheduler: each opens, mails its links, gets answers (most before the
// reminder, some after, a few never), and closes; the last is still open.
func seedChecks(ctx context.Context, a *app.App, c *clock.Fixed, box *Outbox, now time.Time, rng *rand.Rand) error {
	const window, remind = 72, 48
	all := []string{"diplomatic", "policy", "technical"}
	checks := []demoCheck{
		{name: "Communication check, first half of 2026", opens: now.AddDate(0, -7, 0), levels: all, answerPct: 74, publish: true},
		{name: "Communication check, second half of 2026", opens: now.AddDate(0, -1, 0), levels: all, answerPct: 83, publish: true, repeat: 6},
		{name: "Ad hoc check of technical points of contact", opens: now.Add(-30 * time.Hour), levels: []string{"technical"}, answerPct: 61},
	}
	for _, dc := range checks {
		c.Set(dc.opens)
		camp, err := a.Pings.Create(ctx, actor.Operator, pingtest.Input{Name: dc.name, ScopeKind: pingtest.ScopeAll, Levels: dc.levels,
			WindowHours: window, ReminderAfter: remind, RepeatMonths: dc.repeat})
		if err != nil {
			return fmt.Errorf("check %q: %w", dc.name, err)
		}
		if err := drain(ctx, a); err != nil {
			return err
		}
		// Who answers, and when: most before the reminder, the rest after
		// it, with the reminder's fresh link.
		type answer struct {
			to string
			at time.Time
		}
		var early, late []answer
		first := box.tokens()
		for _, to := range sortedKeys(first) {
			switch n := rng.IntN(100); {
			case n >= dc.answerPct:
			case n < dc.answerPct*4/5:
				early = append(early, answer{to, dc.opens.Add(time.Duration(5+rng.IntN(remind*60-10)) * time.Minute)})
			default:
				late = append(late, answer{to, dc.opens.Add(time.Duration(remind*60+5+rng.IntN((window-remind)*60-10)) * time.Minute)})
			}
		}
		answerAll := func(as []answer, tokens map[string]string) error {
			sort.Slice(as, func(i, j int) bool { return as[i].at.Before(as[j].at) })
			for _, an := range as {
				if an.at.After(now) {
					return nil // the future of a check still open
				}
				c.Set(an.at)
				// 192.0.2.0/24 is reserved for documentation (RFC 5737).
				if _, err := a.Pings.AcknowledgeToken(ctx, tokens[an.to], fmt.Sprintf("192.0.2.%d", 1+rng.IntN(254))); err != nil {
					return fmt.Errorf("answer %q: %w", dc.name, err)
				}
			}
			return nil
		}
		if err := answerAll(early, first); err != nil {
			return err
		}
		if reminderAt := dc.opens.Add(remind * time.Hour); reminderAt.Before(now) {
			c.Set(reminderAt)
			if err := drain(ctx, a); err != nil {
				return err
			}
			if err := answerAll(late, box.tokens()); err != nil {
				return err
			}
		}
		if closesAt := camp.ClosesAt.Add(time.Minute); closesAt.Before(now) {
			c.Set(closesAt)
			if err := drain(ctx, a); err != nil {
				return err
			}
			box.tokens() // a repeat schedules the next check; its mail is not due yet
			if dc.publish {
				if err := a.Pings.SetPublished(ctx, actor.Operator, camp.ID, true); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
