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
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/tlp"
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
	_, err := a.Jobs.RunDue(ctx, 1000)
	return err
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
	plan := []demoCheck{
		{name: "Communication check, first half of 2026", opens: now.AddDate(0, -7, 0), levels: all, answerPct: 74, publish: true},
		{name: "Communication check, second half of 2026", opens: now.AddDate(0, -1, 0), levels: all, answerPct: 83, publish: true, repeat: 6},
		{name: "Ad hoc check of technical points of contact", opens: now.Add(-30 * time.Hour), levels: []string{"technical"}, answerPct: 61},
	}
	for _, dc := range plan {
		c.Set(dc.opens)
		camp, err := a.Checks.Create(ctx, actor.Operator, checks.Input{Name: dc.name, ScopeKind: checks.ScopeAll, Levels: dc.levels,
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
				if _, err := a.Checks.AcknowledgeToken(ctx, tokens[an.to], fmt.Sprintf("192.0.2.%d", 1+rng.IntN(254))); err != nil {
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
				if err := a.Checks.SetPublished(ctx, actor.Operator, camp.ID, true); err != nil {
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

// seedMessages plays a few weeks of traffic between the featured States'
// duty officers through the real services and scheduler: notifications,
// acknowledgements, a missed deadline that escalates, an answered
// vulnerability report, a TLP:RED request to a named person, and an
// exercise.
func seedMessages(ctx context.Context, a *app.App, c *clock.Fixed, duty map[string]actor.Actor, now time.Time) error {
	at := func(ago time.Duration) error {
		c.Set(now.Add(-ago))
		return drain(ctx, a)
	}
	send := func(from string, d messaging.Draft) (messaging.Message, error) {
		m, err := a.Messaging.Send(ctx, duty[from], d)
		if err != nil {
			return m, fmt.Errorf("demo message %q: %w", d.Subject, err)
		}
		return m, drain(ctx, a)
	}
	steps := []func() error{
		func() error {
			if err := at(12 * 24 * time.Hour); err != nil {
				return err
			}
			m, err := send("FR", messaging.Draft{Type: messaging.IncidentNotification, Recipients: []string{"KE", "BR"}, Level: messaging.Technical,
				Urgency: messaging.Priority, TLP: tlp.Amber, Subject: "Spear-phishing wave against electricity operators",
				Body: "Since Monday, operators of transmission networks receive invoices carrying a loader; two infections confirmed in our sector.",
				Fields: map[string]string{"sector": "energy", "critical_infrastructure": "yes", "started": now.Add(-13 * 24 * time.Hour).Format("2006-01-02 15:04"),
					"impact": "Two workstations infected at one operator; no effect on operations so far.", "status": "ongoing",
					"indicators": "invoice-portal.example.invalid\n198.51.100.23\nsha256 5f2b…(demo)"},
				Provisions: []string{"norm-h", "cbm-1"}, AckRequested: true})
			if err != nil {
				return err
			}
			if err := at(12*24*time.Hour - 3*time.Hour); err != nil {
				return err
			}
			if err := a.Messaging.Acknowledge(ctx, duty["KE"], m.ID); err != nil {
				return err
			}
			// Brazil misses the 24 h deadline: the escalation runs.
			if err := at(12*24*time.Hour - 25*time.Hour); err != nil {
				return err
			}
			_, err = send("KE", messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "Same loader seen at one operator here; we blocked the domain nationally.",
				Fields: map[string]string{"status": "action taken"}})
			return err
		},
		func() error {
			if err := at(6 * 24 * time.Hour); err != nil {
				return err
			}
			m, err := send("JP", messaging.Draft{Type: messaging.VulnerabilityReport, Recipients: []string{"FR"}, Level: messaging.Technical,
				Urgency: messaging.Routine, TLP: tlp.Green, Subject: "Authentication bypass in an industrial gateway",
				Body: "A researcher reported an authentication bypass in a gateway used by water utilities in both our countries. The vendor is preparing a fix.",
				Fields: map[string]string{"product": "Industrial gateway firmware 4.x", "vendor": "(demo vendor)", "severity": "high",
					"remedy": "Restrict the management interface to the plant network until the fix is out."},
				Provisions: []string{"norm-j"}, AckRequested: true})
			if err != nil {
				return err
			}
			if err := at(5 * 24 * time.Hour); err != nil {
				return err
			}
			_, err = send("FR", messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "Thank you. We have informed the utilities concerned and will coordinate the advisory.",
				Fields: map[string]string{"status": "information provided"}})
			return err
		},
		func() error {
			if err := at(26 * time.Hour); err != nil {
				return err
			}
			m, err := send("BR", messaging.Draft{Type: messaging.AssistanceRequest, Recipients: []string{"JP"}, Level: messaging.Technical,
				Urgency: messaging.Urgent, TLP: tlp.Red, Named: []string{duty["JP"].AccountID}, Subject: "Assistance with a hospital ransomware case",
				Body: "A regional hospital network is encrypted. We ask for help identifying the operators' infrastructure hosted abroad.",
				Fields: map[string]string{"sector": "health", "critical_infrastructure": "yes", "assistance": "Identify and take down the C2 servers listed.",
					"impact": "Emergency admissions diverted to other hospitals.", "indicators": "203.0.113.45\n203.0.113.46"},
				Provisions: []string{"norm-h", "norm-g"}, AckRequested: true})
			if err != nil {
				return err
			}
			if err := at(25 * time.Hour); err != nil {
				return err
			}
			return a.Messaging.Acknowledge(ctx, duty["JP"], m.ID)
		},
		func() error {
			if err := at(3 * time.Hour); err != nil {
				return err
			}
			_, err := send("KE", messaging.Draft{Type: messaging.InformationRequest, Recipients: []string{"FR", "BR", "JP"}, Level: messaging.Technical,
				Urgency: messaging.Priority, TLP: tlp.Green, Exercise: true, Subject: "Regional tabletop, inject 2: suspected supply-chain compromise",
				Body:   "Exercise scenario: a software update server of a logistics company is compromised. What would you need from us?",
				Fields: map[string]string{"question": "Which indicators and contacts would you ask for first?"}, AckRequested: true})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return at(0)
}
