package incident

import (
	"fmt"
	"slices"
	"strings"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/tlp"
)

// Who reads an incident. An incident is shared the way a communication is:
// this package never compares labels, it asks the disclosure table of
// messaging (messaging.Disclosure) how far a label reaches on the read and
// list channels, and reads each reach for an incident as follows:
//
//	reach             readers of an incident
//	anyone signed in  every account, the secretariat included
//	every State       every account of any State (participating or not)
//	the parties       the reporting State's and the recipient States' accounts
//	named people      the reporting State's accounts and the named accounts
//
// so that, with the table as it stands:
//
//	label                read, list, per-provision list, chart counts
//	CLEAR                anyone signed in
//	GREEN                every State account
//	AMBER, AMBER+STRICT  reporting State and recipient States
//	RED                  reporting State and the named accounts
//
// The reporting State's accounts always read their State's incident,
// whatever its label: it is their own record, which they keep and assess
// (where a communication at RED reaches its author only, an incident
// belongs to the State). The secretariat is not party to what States
// share, so it reads CLEAR only; anonymous visitors read nothing. An
// incident a caller may not read is "not found". The page, the lists and
// the counts all use mayRead or readableSQL, both written from the table.

// audience is what decides who may read an incident.
type audience struct {
	TLP        tlp.Label
	State      string   // the reporting State
	Recipients []string // States
	Named      []string // accounts
}

func (i Incident) audience() audience {
	return audience{TLP: i.TLP, State: i.ReportingState, Recipients: i.Recipients, Named: i.Named}
}

// reaches reports whether r includes a for an incident with audience m.
func reaches(r messaging.Reach, a actor.Actor, m audience) bool {
	if !a.Authenticated() {
		return false
	}
	if a.State != "" && a.State == m.State {
		return true
	}
	switch r {
	case messaging.SignedIn:
		return true
	case messaging.StateAccounts:
		return a.State != ""
	case messaging.Parties:
		return a.State != "" && slices.Contains(m.Recipients, a.State)
	case messaging.Named:
		return slices.Contains(m.Named, a.AccountID)
	}
	return false
}

// mayRead is TLP 2.0 as an access rule for the incident's page and the API.
func mayRead(a actor.Actor, m audience) bool {
	return reaches(messaging.Disclosure(m.TLP, messaging.ChanRead), a, m)
}

// namedOnly reports whether l shares an incident with named people only,
// so that naming accounts is allowed.
func namedOnly(l tlp.Label) bool {
	return messaging.Disclosure(l, messaging.ChanRead) == messaging.Named
}

// readableSQL returns a condition on the incidents table aliased i that
// holds exactly for the incidents a may see in lists and counts, with its
// arguments numbered from $next. It is the policy in SQL, written from the
// table label by label, so it lives here beside mayRead.
func readableSQL(a actor.Actor, next int) (string, []any) {
	if !a.Authenticated() {
		return "1=0", nil
	}
	account, state := fmt.Sprintf("$%d", next), fmt.Sprintf("$%d", next+1)
	byReach := map[messaging.Reach][]string{}
	for _, l := range tlp.Labels() {
		r := messaging.Disclosure(l, messaging.ChanList)
		byReach[r] = append(byReach[r], "'"+string(l)+"'")
	}
	conds := []string{"(i.reporting_state = " + state + " AND " + state + " <> '')"}
	for _, r := range []messaging.Reach{messaging.SignedIn, messaging.StateAccounts, messaging.Parties, messaging.Named} {
		labels := byReach[r]
		if len(labels) == 0 {
			continue
		}
		in := "i.tlp IN (" + strings.Join(labels, ", ") + ")"
		switch r {
		case messaging.SignedIn:
			conds = append(conds, in)
		case messaging.StateAccounts:
			conds = append(conds, "("+in+" AND "+state+" <> '')")
		case messaging.Parties:
			conds = append(conds, "("+in+" AND "+state+" <> '' AND EXISTS (SELECT 1 FROM incident_recipients ir WHERE ir.incident_id = i.id AND ir.state_code = "+state+"))")
		case messaging.Named:
			conds = append(conds, "("+in+" AND EXISTS (SELECT 1 FROM incident_named iq WHERE iq.incident_id = i.id AND iq.account_id = "+account+"))")
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")", []any{a.AccountID, a.State}
}
