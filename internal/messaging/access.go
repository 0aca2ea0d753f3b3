package messaging

import (
	"fmt"
	"slices"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/tlp"
)

// audience is what decides who may read a message.
type audience struct {
	TLP           tlp.Label
	SenderState   string
	SenderAccount string
	Recipients    []string // States
	Named         []string // accounts, for TLP:RED
}

// mayRead is TLP 2.0 as an access rule:
//
//	CLEAR        anyone signed in
//	GREEN        every State account of this installation
//	AMBER        the sender's and the recipient States' accounts
//	AMBER+STRICT the same (and no onward forwarding)
//	RED          the author and the named recipients only
//
// The secretariat manages the directory but is not party to State-to-State
// traffic: it reads CLEAR messages and nothing else it is not party to.
// readableSQL must say the same in SQL; a test checks that they agree.
func mayRead(a actor.Actor, m audience) bool {
	if !a.Authenticated() {
		return false
	}
	if a.AccountID == m.SenderAccount {
		return true
	}
	switch m.TLP {
	case tlp.Clear:
		return true
	case tlp.Green:
		return a.State != ""
	case tlp.Amber, tlp.AmberStrict:
		return a.State != "" && (a.State == m.SenderState || slices.Contains(m.Recipients, a.State))
	case tlp.Red:
		return slices.Contains(m.Named, a.AccountID)
	}
	return false // an unknown label is treated as unreadable
}

// readableSQL returns a condition on the messages table aliased m that
// holds exactly for the messages a may read, with its arguments numbered
// from $next.
func readableSQL(a actor.Actor, next int) (string, []any) {
	if !a.Authenticated() {
		return "1=0", nil
	}
	p := func(i int) string { return fmt.Sprintf("$%d", next+i) }
	cond := "(m.sender_account_id = " + p(0) +
		" OR m.tlp = 'clear'" +
		" OR (m.tlp = 'green' AND " + p(1) + " <> '')" +
		" OR (m.tlp IN ('amber', 'amber+strict') AND " + p(1) + " <> '' AND (m.sender_state = " + p(1) +
		" OR EXISTS (SELECT 1 FROM deliveries rd WHERE rd.message_id = m.id AND rd.state_code = " + p(1) + ")))" +
		" OR (m.tlp = 'red' AND EXISTS (SELECT 1 FROM message_named rn WHERE rn.message_id = m.id AND rn.account_id = " + p(0) + ")))"
	return cond, []any{a.AccountID, a.State}
}
