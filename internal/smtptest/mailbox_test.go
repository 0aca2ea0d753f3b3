package smtptest

import (
	"context"
	"regexp"
	"testing"
)

func TestMailboxNewest(t *testing.T) {
	var m Mailbox
	link := regexp.MustCompile(`/ping/([a-z0-9]+)`)
	m.Send(context.Background(), "a@x.invalid", []string{"duty@ke.invalid"}, []byte("Confirm: https://d.invalid/ping/first\r\n"))
	m.Send(context.Background(), "a@x.invalid", []string{"duty@ke.invalid", "cc@ke.invalid"}, []byte("Reminder: https://d.invalid/pi=\r\nng/second\r\n"))
	m.Send(context.Background(), "a@x.invalid", []string{"other@fr.invalid"}, []byte("https://d.invalid/ping/third\r\n"))
	tests := []struct {
		name, address, want string
	}{
		{"the newest mail wins, soft line breaks undone", "duty@ke.invalid", "second"},
		{"any recipient of a mail", "cc@ke.invalid", "second"},
		{"another recipient's mail is not read", "other@fr.invalid", "third"},
		{"nobody", "nobody@x.invalid", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if found := m.Newest(tc.address, link); found != nil {
				got = found[1]
			}
			if got != tc.want {
				t.Errorf("Newest(%s) = %q, want %q", tc.address, got, tc.want)
			}
		})
	}
	if n := len(m.Messages()); n != 3 {
		t.Errorf("%d messages kept, want 3", n)
	}
}
