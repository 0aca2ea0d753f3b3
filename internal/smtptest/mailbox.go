package smtptest

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Mailbox is a mail sender that keeps what it is given, for tests that
// need the mail an application sends but not the SMTP conversation.
type Mailbox struct {
	mu   sync.Mutex
	msgs []Message
}

// Send records the mail; it never fails.
func (m *Mailbox) Send(_ context.Context, from string, to []string, raw []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, Message{From: from, To: slices.Clone(to), Data: slices.Clone(raw)})
	return nil
}

// Messages returns what was sent so far, oldest first.
func (m *Mailbox) Messages() []Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.msgs)
}

// Newest finds re in the newest mail to address, with quoted-printable soft
// line breaks undone so a link split across lines is whole. It returns the
// match and its submatches, or nil if no mail to address matches.
func (m *Mailbox) Newest(address string, re *regexp.Regexp) []string {
	for _, msg := range slices.Backward(m.Messages()) {
		if slices.Contains(msg.To, address) {
			if found := re.FindStringSubmatch(strings.ReplaceAll(string(msg.Data), "=\r\n", "")); found != nil {
				return found
			}
		}
	}
	return nil
}
