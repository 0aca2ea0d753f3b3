// Package server puts the edges (web pages, JSON API, health checks) behind
// one handler and runs it with a graceful shutdown.
package server

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/detente/detente/internal/api"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/metrics"
	"github.com/detente/detente/internal/taxii"
	"github.com/detente/detente/internal/web"
)

// Handler returns the whole HTTP surface of a, with /metrics behind a
// metrics token unless a.Config.MetricsAddr moves it to a listener of its
// own (see Handlers).
func Handler(a *app.App, opt web.Options) (http.Handler, error) {
	h, _, err := Handlers(a, opt)
	return h, err
}

// Handlers returns the handler of the main listener and, when
// a.Config.MetricsAddr is set, the one of the metrics listener (else nil).
func Handlers(a *app.App, opt web.Options) (http.Handler, http.Handler, error) {
	reg := metrics.New()
	stats := func(f func(sql.DBStats) int) func() float64 {
		return func() float64 { return float64(f(a.DB.W.Stats())) }
	}
	reg.Gauge("detente_db_open_connections", "Open connections of the writing pool.", stats(func(s sql.DBStats) int { return s.OpenConnections }))
	reg.Gauge("detente_db_in_use_connections", "Connections of the writing pool in use.", stats(func(s sql.DBStats) int { return s.InUse }))
	reg.Gauge("detente_db_wait_count", "Times a caller waited for a connection of the writing pool.", stats(func(s sql.DBStats) int { return int(s.WaitCount) }))
	// The outbox: a growing queue or any failed job wants the operator.
	jobStat := func(f func(jobs.Stats) int) func() float64 {
		return func() float64 {
			st, err := a.Jobs.Stats(context.Background())
			if err != nil {
				return math.NaN()
			}
			return float64(f(st))
		}
	}
	reg.Gauge("detente_jobs_queued", "Jobs waiting to run (mails, reminders, escalations, webhooks, checks).", jobStat(func(s jobs.Stats) int { return s.Queued }))
	reg.Gauge("detente_jobs_leased", "Jobs being run by a worker now.", jobStat(func(s jobs.Stats) int { return s.Leased }))
	reg.Gauge("detente_jobs_failed", "Jobs given up; see detente jobs failed.", jobStat(func(s jobs.Stats) int { return s.Failed }))
	pages, err := web.New(a.Services(), opt)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := a.DB.Ping(ctx); err != nil {
			a.Log.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	// /metrics is for the operator's scraper: on a listener of its own that
	// only the monitoring network reaches, or here for a metrics token.
	exposition := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := reg.Write(w); err != nil {
			a.Log.Warn("metrics", "err", err)
		}
	}
	var metricsHandler http.Handler
	if a.Config.MetricsAddr != "" {
		mm := http.NewServeMux()
		mm.HandleFunc("GET /metrics", exposition)
		metricsHandler = mm
	} else {
		mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
			secret, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if err := a.Access.CheckMetricsToken(r.Context(), strings.TrimSpace(secret)); err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="detente metrics"`)
				http.Error(w, errs.MessageOf(err), errs.HTTPStatus(err))
				return
			}
			exposition(w, r)
		})
	}
	mux.Handle("/api/v1/", api.New(a.Services()))
	mux.Handle(taxii.Prefix, taxii.NewServer(a.TAXII, a.Access, a.Text, a.Log))
	mux.Handle("/", pages)
	return realClient(a.Config.TrustedProxies, a.Config.ForwardedHeader, observe(a.Log, reg, mux)), metricsHandler, nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe logs and counts every request under the route pattern that
// served it (the inner muxes report it), so ids never become labels.
func observe(log *slog.Logger, reg *metrics.Registry, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, route := metrics.WithRoute(r.Context())
		r = r.WithContext(ctx)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		d := time.Since(start)
		pattern := route()
		if pattern == "" {
			pattern = r.Pattern // matched here: /healthz, /metrics, or a whole surface
		}
		reg.ObserveRequest(pattern, r.Method, rec.status, d)
		log.Debug("request", "method", r.Method, "path", r.URL.Path, "route", pattern, "status", rec.status, "duration", d)
	})
}

// Run serves h on ln until ctx ends, then lets in-flight requests finish
// for up to grace before closing.
func Run(ctx context.Context, log *slog.Logger, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
