package config

import (
	"io"
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
		{"bad duration", nil, map[string]string{"DETENTE_SESSION_TTL": "forever"}, nil, true},
		{"bad log level", []string{"-log-level", "loud"}, nil, nil, true},
		{"bad base url", []string{"-base-url", "ftp://x"}, nil, nil, true},
		{"stray argument", []string{"extra"}, nil, nil, true},
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
