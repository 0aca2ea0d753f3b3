package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, c Config)
		wantErr bool
	}{
		{"sign-in settings from the environment", nil, map[string]string{"DETENTE_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7 ,2001:db8::/32",
			"DETENTE_FORWARDED_HEADER": "forwarded", "DETENTE_SIGNIN_HELP": " Write to the secretariat. ", "DETENTE_METRICS_ADDR": "127.0.0.1:9090"}, func(t *testing.T, c Config) {
			var got []string
			for _, p := range c.TrustedProxies {
				got = append(got, p.String())
			}
			if strings.Join(got, " ") != "10.0.0.0/8 192.0.2.7/32 2001:db8::/32" || c.ForwardedHeader != "Forwarded" ||
				c.SigninHelp != "Write to the secretariat." || c.MetricsAddr != "127.0.0.1:9090" {
				t.Errorf("proxies %v, header %q, help %q, metrics %q", got, c.ForwardedHeader, c.SigninHelp, c.MetricsAddr)
			}
		}, false},
		{"no trusted proxies by default", nil, nil, func(t *testing.T, c Config) {
			if len(c.TrustedProxies) != 0 || c.ForwardedHeader != "X-Forwarded-For" || c.SigninHelp == "" || c.MetricsAddr != "" {
				t.Errorf("proxies %v, header %q, help %q, metrics %q", c.TrustedProxies, c.ForwardedHeader, c.SigninHelp, c.MetricsAddr)
			}
		}, false},
		{"a trusted proxy that is no address", []string{"-trusted-proxies", "10.0.0.0/8,proxy.internal"}, nil, nil, true},
		{"an unknown forwarded header", []string{"-forwarded-header", "X-Real-IP"}, nil, nil, true},
		{"defaults", nil, nil, func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:8080" || c.Database != "data/detente.db" || c.BaseURL != "http://127.0.0.1:8080" || c.SecureCookies {
				t.Errorf("unexpected defaults: %+v", c)
			}
		}, false},
		{"environment applies", nil, map[string]string{"DETENTE_ADDR": "127.0.0.1:9999", "DETENTE_DATA_DIR": "/srv/d", "DETENTE_STALE_AFTER": "720h"}, func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:9999" || c.Database != "/srv/d/detente.db" || c.StaleAfter != 720*time.Hour {
				t.Errorf("environment ignored: %+v", c)
			}
		}, false},
		{"flag beats environment", []string{"-addr", "127.0.0.1:7000"}, map[string]string{"DETENTE_ADDR": "127.0.0.1:9999"}, func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:7000" {
				t.Errorf("addr = %s", c.Addr)
			}
		}, false},
		{"https base url makes cookies secure", []string{"-base-url", "https://poc.example.org/"}, nil, func(t *testing.T, c Config) {
			if !c.SecureCookies || c.BaseURL != "https://poc.example.org" {
				t.Errorf("%+v", c)
			}
		}, false},
		{"attachment limits default to 10 files, 10 MiB each, 25 MiB together", nil, nil, func(t *testing.T, c Config) {
			if c.AttachmentMaxFile != 10<<20 || c.AttachmentMaxTotal != 25<<20 || c.AttachmentMaxCount != 10 {
				t.Errorf("attachment limits: %d %d %d", c.AttachmentMaxFile, c.AttachmentMaxTotal, c.AttachmentMaxCount)
			}
		}, false},
		{"attachment limits from the environment", nil, map[string]string{"DETENTE_ATTACHMENT_MAX_FILE": "1048576", "DETENTE_ATTACHMENT_MAX_TOTAL": "2097152",
			"DETENTE_ATTACHMENT_MAX_COUNT": "3"}, func(t *testing.T, c Config) {
			if c.AttachmentMaxFile != 1<<20 || c.AttachmentMaxTotal != 2<<20 || c.AttachmentMaxCount != 3 {
				t.Errorf("attachment limits: %d %d %d", c.AttachmentMaxFile, c.AttachmentMaxTotal, c.AttachmentMaxCount)
			}
		}, false},
		{"a file may not exceed what a message carries", []string{"-attachment-max-file", "3000", "-attachment-max-total", "2000"}, nil, nil, true},
		{"attachments stay a size the database keeps well", []string{"-attachment-max-total", "1073741824"}, nil, nil, true},
		{"at least one attachment", []string{"-attachment-max-count", "0"}, nil, nil, true},
		{"bad duration", nil, map[string]string{"DETENTE_SESSION_TTL": "forever"}, nil, true},
		{"bad log level", []string{"-log-level", "loud"}, nil, nil, true},
		{"bad base url", []string{"-base-url", "ftp://x"}, nil, nil, true},
		{"stray argument", []string{"extra"}, nil, nil, true},
		{"webhook settings from the environment", nil, map[string]string{"DETENTE_WEBHOOK_KEY": strings.Repeat("ab", 32), "DETENTE_WEBHOOK_ALLOW_PRIVATE": "true"}, func(t *testing.T, c Config) {
			if len(c.WebhookKey) != 32 || c.WebhookKey[0] != 0xab || !c.WebhookAllowPrivate {
				t.Errorf("webhook settings: key %x, allow private %v", c.WebhookKey, c.WebhookAllowPrivate)
			}
		}, false},
		{"no webhook key by default", nil, nil, func(t *testing.T, c Config) {
			if c.WebhookKey != nil || c.WebhookAllowPrivate {
				t.Errorf("webhook defaults: %x %v", c.WebhookKey, c.WebhookAllowPrivate)
			}
		}, false},
		{"short webhook key", []string{"-webhook-key", "abcd"}, nil, nil, true},
		{"webhook key not hex", nil, map[string]string{"DETENTE_WEBHOOK_KEY": strings.Repeat("zz", 32)}, nil, true},
		{"deadlines default to 2 h to acknowledge an urgent message", nil, nil, func(t *testing.T, c Config) {
			if d := c.Deadlines["urgent"]; d.Acknowledge != 2*time.Hour || d.Respond != 24*time.Hour || len(c.Deadlines) != 3 {
				t.Errorf("deadlines %v", c.Deadlines)
			}
		}, false},
		{"deadlines changed for one urgency keep the others", nil, map[string]string{"DETENTE_DEADLINES": "urgent=1h/12h"}, func(t *testing.T, c Config) {
			if c.Deadlines["urgent"] != (Deadline{time.Hour, 12 * time.Hour}) || c.Deadlines["routine"] != (Deadline{72 * time.Hour, 336 * time.Hour}) {
				t.Errorf("deadlines %v", c.Deadlines)
			}
			if Defaults().Deadlines["urgent"].Acknowledge != 2*time.Hour {
				t.Error("parsing changed the defaults of the next caller")
			}
		}, false},
		{"unknown urgency", []string{"-deadlines", "critical=1h/2h"}, nil, nil, true},
		{"respond before acknowledging", []string{"-deadlines", "routine=10h/5h"}, nil, nil, true},
		{"deadline without windows", []string{"-deadlines", "urgent=2h"}, nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("serve", tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

// TestEnvironmentReachesOnlyServerFlags: DETENTE_* variables set the
// flags Bind registered, and never a command's own flags beside them,
// whichever side of Bind those were defined on.
func TestEnvironmentReachesOnlyServerFlags(t *testing.T) {
	fs := flag.NewFlagSet("admin create-user", flag.ContinueOnError)
	email := fs.String("email", "", "")
	b := Bind(fs)
	role := fs.String("role", "viewer", "")
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DETENTE_EMAIL": "someone@example.invalid", "DETENTE_ROLE": "secretariat",
		"DETENTE_SMTP_HOST": "relay.example.invalid", "DETENTE_AUDIT_KEY": ""}
	cfg, err := b.Resolve(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTPHost != "relay.example.invalid" {
		t.Errorf("a server flag was not set from the environment: %q", cfg.SMTPHost)
	}
	if *email != "" || *role != "viewer" {
		t.Errorf("the environment set a command's own flags: email %q, role %q", *email, *role)
	}
}
