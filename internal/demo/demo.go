// Package demo fills an empty database with fictitious but plausible data:
// every State, most of them participating, with points of contact at each
// level and accounts for every role. All addresses end in .invalid and all
// phone numbers use the unassigned country code +990, so nothing here can
// reach a real person.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/states"
)

// Login is one demo account to print.
type Login struct {
	Email string
	Role  actor.Role
	State string
}

// Result is what the seeding created.
type Result struct {
	Password      string // shared by every demo account
	Logins        []Login
	Participating int
	POCs          int
}

// Seed writes the demo data. now is the demo's "today"; entries are dated
// before it so some are stale. open builds an App over the same database
// with a given clock and mail sender: the seeding moves the clock to
// backdate entries, and answers communication checks from its own outbox.
func Seed(ctx context.Context, open func(clock.Clock, mail.Sender) (*app.App, error), now time.Time, password string) (Result, error) {
	c := clock.NewFixed(now)
	box := &Outbox{refuse: map[string]bool{}}
	a, err := open(c, box)
	if err != nil {
		return Result{}, err
	}
	defer a.Close()
	res := Result{Password: password}
	rng := rand.New(rand.NewPCG(2015, 174)) // A/70/174: fixed, so every demo looks the same
	tzs := timeZones()

	all := states.All()
	// Accounts of the States the demo logins belong to must be created by
	// their own admins, as in real use; the operator creates the admins.
	featured := []string{"FR", "KE", "BR", "JP"}
	duty := map[string]actor.Actor{} // each featured State's CERT duty officer
	for _, st := range all {
		participates := slices.Contains(featured, st.Alpha2) || rng.IntN(100) < 78
		if !participates {
			continue
		}
		joined := now.AddDate(0, -rng.IntN(28)-2, -rng.IntN(28))
		c.Set(joined)
		if err := a.Directory.SetParticipation(ctx, actor.Operator, st.Alpha2, &joined); err != nil {
			return res, fmt.Errorf("participation %s: %w", st.Alpha2, err)
		}
		res.Participating++
	}

	c.Set(now.AddDate(-2, 0, 0))
	sec, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "secretariat@un.demo.invalid", DisplayName: "Directory manager (demo)", Role: actor.Secretariat, Password: password})
	if err != nil {
		return res, err
	}
	res.Logins = append(res.Logins, Login{Email: sec.Email, Role: sec.Role})

	for _, st := range all {
		var since time.Time
		if s, err := a.Directory.State(ctx, actor.Operator, st.Alpha2); err != nil {
			return res, err
		} else if !s.Participating() {
			continue
		} else {
			since = *s.ParticipatingSince
		}
		host := strings.ToLower(st.Alpha2) + ".demo.invalid"
		answerer := "" // the account answering for the technical POC, if any
		// Most States' entries are entered under the State's authority by
		// the seeding itself; only the featured States get accounts, which
		// keeps the demo's start fast (each account costs an argon2id hash).
		admin := actor.Actor{AccountID: "demo-" + st.Alpha2, Email: "demo data for " + st.Alpha2, Role: actor.StateAdmin, State: st.Alpha2}
		if slices.Contains(featured, st.Alpha2) {
			c.Set(since)
			acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{
				Email: "focal.point@" + host, DisplayName: st.Name + " focal point (demo)", Role: actor.StateAdmin, State: st.Alpha2, Password: password})
			if err != nil {
				return res, fmt.Errorf("admin %s: %w", st.Alpha2, err)
			}
			admin = acc.Actor()
			res.Logins = append(res.Logins, Login{Email: acc.Email, Role: acc.Role, State: st.Alpha2})
			answerer = ""
			for _, extra := range []struct {
				local string
				role  actor.Role
				name  string
			}{{"cert.duty", actor.POC, "CERT duty officer"}, {"analyst", actor.Viewer, "Policy analyst"}} {
				acc, _, err := a.Access.CreateAccount(ctx, admin, access.NewAccount{
					Email: extra.local + "@" + host, DisplayName: st.Name + " " + extra.name + " (demo)", Role: extra.role, State: st.Alpha2, Password: password})
				if err != nil {
					return res, fmt.Errorf("account %s: %w", st.Alpha2, err)
				}
				res.Logins = append(res.Logins, Login{Email: acc.Email, Role: acc.Role, State: st.Alpha2})
				if extra.role == actor.POC {
					answerer = acc.ID
					duty[st.Alpha2] = acc.Actor()
				}
			}
		}
		// A few ministries' mailboxes are gone, so checks find them.
		if rng.IntN(100) < 4 {
			box.refuse["cyber.coordinator@mfa."+host] = true
		}
		n, err := seedPOCs(ctx, a, c, admin, st, host, tzs[st.Alpha2], since, now, rng, answerer)
		if err != nil {
			return res, err
		}
		res.POCs += n
	}
	if err := seedChecks(ctx, a, c, box, now, rng); err != nil {
		return res, err
	}
	if err := seedMessages(ctx, a, c, duty, now); err != nil {
		return res, err
	}
	if err := seedIncidents(ctx, a, c, duty, now); err != nil {
		return res, err
	}
	if err := seedMeetings(ctx, a, c, sec.Actor(), duty, now); err != nil {
		return res, err
	}
	if err := seedExercise(ctx, a, c, sec.Actor(), duty, now); err != nil {
		return res, err
	}
	if err := seedSurvey(ctx, a, c, sec.Actor(), duty, now); err != nil {
		return res, err
	}
	if err := seedCapacity(ctx, a, c, sec.Actor(), duty, now); err != nil {
		return res, err
	}
	if err := seedLibrary(ctx, a, c, sec.Actor(), now); err != nil {
		return res, err
	}
	return res, nil
}

// seedPOCs nominates one to three POCs for st, dated after since, and
// confirms most of them later so that about one in eight ends up stale.
// answerer, if set, is the account that answers for the technical POC.
func seedPOCs(ctx context.Context, a *app.App, c *clock.Fixed, admin actor.Actor, st states.State, host, tz string, since, now time.Time, rng *rand.Rand, answerer string) (int, error) {
	langs := languages(st)
	n := 0
	for i, lv := range directory.Levels {
		if i > 0 && rng.IntN(100) < 20 {
			continue // not every State names every level
		}
		in := directory.POCInput{
			Level:        lv,
			Languages:    langs,
			TimeZone:     tz,
			Availability: directory.OfficeHours,
			Hours:        "Mon–Fri 09:00–17:00",
			Phones:       []string{fmt.Sprintf("+990 5550 %04d", rng.IntN(10000))},
		}
		switch lv {
		case directory.Diplomatic:
			in.FunctionTitle, in.Organisation = "Cyber coordinator", "Ministry of Foreign Affairs"
			in.Emails = []string{"cyber.coordinator@mfa." + host}
		case directory.Policy:
			in.FunctionTitle, in.Organisation = "Head of cyber security policy", "National Cyber Security Agency"
			in.Emails = []string{"policy@ncsa." + host}
		case directory.Technical:
			in.FunctionTitle, in.Organisation = "Duty officer, national CSIRT", "National CSIRT"
			in.Emails = []string{"incident@csirt." + host, "duty@csirt." + host}
			in.Availability, in.Hours = directory.Always, ""
			in.AccountID = answerer
			in.Phones = append(in.Phones, fmt.Sprintf("+990 5551 %04d", rng.IntN(10000)))
		}
		if rng.IntN(100) < 30 {
			in.PersonName = personName(rng)
		}
		c.Set(since.Add(time.Duration(rng.IntN(30*24)) * time.Hour))
		p, err := a.Directory.Nominate(ctx, admin, st.Alpha2, in)
		if err != nil {
			return n, fmt.Errorf("nominate %s %s: %w", st.Alpha2, lv, err)
		}
		n++
		// Most States confirm within the review period; some let it lapse.
		if rng.IntN(100) < 88 {
			c.Set(now.Add(-time.Duration(rng.IntN(300*24)) * time.Hour))
			if c.Now().After(p.CreatedAt) {
				if _, err := a.Directory.Confirm(ctx, admin, p.ID); err != nil {
					return n, err
				}
			}
		}
	}
	return n, nil
}

var (
	givenNames  = []string{"Amina", "Lucas", "Mei", "Omar", "Sofia", "Kwame", "Elena", "Ravi", "Leila", "Tomás", "Yuki", "Ngozi", "Anders", "Fatima", "Diego", "Irina"}
	familyNames = []string{"Okafor", "Martin", "Tanaka", "Haddad", "Rossi", "Mensah", "Petrova", "Sharma", "Nasser", "García", "Sato", "Eze", "Lindqvist", "Benali", "Herrera", "Volkova"}
)

func personName(rng *rand.Rand) string {
	return givenNames[rng.IntN(len(givenNames))] + " " + familyNames[rng.IntN(len(familyNames))] + " (fictitious)"
}

// languages picks plausible working languages: English everywhere, plus the
// UN official language a State commonly works in.
func languages(st states.State) []string {
	fr := "BJ BF BI CM CF TD KM CG CD CI DJ GA GN MG ML NE RW SN TG FR BE LU MC HT CH"
	es := "AR BO CL CO CR CU DO EC SV GT HN MX NI PA PY PE UY VE ES GQ"
	ar := "DZ BH EG IQ JO KW LB LY MR MA OM QA SA SO SD SY TN AE YE PS"
	ru := "RU BY KZ KG TJ TM UZ AM AZ"
	out := []string{"en"}
	switch {
	case strings.Contains(fr, st.Alpha2):
		out = []string{"fr", "en"}
	case strings.Contains(es, st.Alpha2):
		out = []string{"es", "en"}
	case strings.Contains(ar, st.Alpha2):
		out = []string{"ar", "en"}
	case strings.Contains(ru, st.Alpha2):
		out = []string{"ru", "en"}
	case st.Alpha2 == "CN":
		out = []string{"zh", "en"}
	}
	return out
}
