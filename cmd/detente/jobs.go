package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/jobs"
)

const jobsUsage = `usage:
  detente jobs stats              how many jobs wait, run and were given up
  detente jobs failed [-limit N]  the jobs given up, newest first, with their last error
  detente jobs retry ID           put a failed job back in the queue (audited)`

// cmdJobs lets the operator look into the outbox: mails, reminders,
// escalations, webhooks and check openings the workers run.
func cmdJobs(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(jobsUsage)
	}
	var limit int
	a, rest, err := opCommand(ctx, "jobs "+args[0], args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		if args[0] == "failed" {
			fs.IntVar(&limit, "limit", 50, "most jobs to list")
		}
	})
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "stats":
		st, err := a.Jobs.Stats(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "queued %d, running %d, failed %d\n", st.Queued, st.Leased, st.Failed)
		return nil
	case "failed":
		fs, err := a.Jobs.Failures(ctx, max(limit, 1))
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tATTEMPTS\tFAILED\tLAST ERROR")
		for _, f := range fs {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", f.ID, f.Kind, f.Attempts, f.FailedAt.UTC().Format(time.RFC3339), strings.ReplaceAll(f.LastError, "\n", " "))
		}
		return tw.Flush()
	case "retry":
		if len(rest) != 1 {
			return errors.New(jobsUsage)
		}
		id := rest[0]
		err := a.DB.Tx(ctx, func(tx *sql.Tx) error {
			if err := jobs.Retry(ctx, tx, a.Clock.Now(), id); err != nil {
				return err
			}
			return a.Audit.Append(ctx, tx, actor.Operator, audit.Change{Action: "job.retry", ObjectType: "job", ObjectID: id})
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "job %s is queued again; a running server's workers pick it up\n", id)
		return nil
	}
	return fmt.Errorf("unknown jobs command %q\n%s", args[0], jobsUsage)
}
