package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/page"
)

const capacityUsage = `usage:
  detente capacity needs [-as EMAIL] [-topic T] [-provision ID] [-language TAG] [-region GROUP] [-state XX]
  detente capacity offers [-as EMAIL] [-topic T] [-provision ID] [-language TAG] [-region GROUP] [-state XX|secretariat]
  detente capacity partnerships [-as EMAIL] [-mine]`

// cmdCapacity lists capacity-building needs, offers and partnerships (CBM
// 5) as the named account, or as the operator, may read them: the
// secretariat reads what participants read, never a State's private
// items or unpublished partnerships.
func cmdCapacity(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(capacityUsage)
	}
	sub, rest := args[0], args[1:]
	if sub != "needs" && sub != "offers" && sub != "partnerships" {
		return errors.New(capacityUsage)
	}
	var as, topic string
	var f capacity.Filter
	var mine bool
	a, _, err := opCommand(ctx, "capacity "+sub, rest, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&as, "as", "", "act as the account with this email address")
		if sub == "partnerships" {
			fs.BoolVar(&mine, "mine", false, "the account's side's partnerships, published or not")
			return
		}
		fs.StringVar(&topic, "topic", "", "a topic, such as incident_response")
		fs.StringVar(&f.Provision, "provision", "", "a provision of the framework, such as norm-h")
		fs.StringVar(&f.Language, "language", "", "a language the work can be done in, such as fr")
		fs.StringVar(&f.Region, "region", "", "a UN regional group")
		fs.StringVar(&f.State, "state", "", "the owner's State code ("+`"secretariat"`+" for its offers)")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	who, err := asAccount(ctx, a, as)
	if err != nil {
		return err
	}
	f.Topic = capacity.Topic(topic)
	svc := a.Capacity
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	req := page.Request{Limit: page.MaxLimit}
	switch sub {
	case "needs":
		fmt.Fprintln(tw, "ID\tSTATE\tVISIBILITY\tSTATUS\tPROVISIONS\tTITLE")
		err = everyPage(req, func(req page.Request) (string, error) {
			p, err := svc.Needs(ctx, who, f, req)
			for _, n := range p.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.ID, n.State, n.Visibility, n.Status, strings.Join(n.Provisions, ","), n.Title)
			}
			return p.Next, err
		})
	case "offers":
		fmt.Fprintln(tw, "ID\tBY\tKIND\tVISIBILITY\tPROVISIONS\tTITLE")
		err = everyPage(req, func(req page.Request) (string, error) {
			p, err := svc.Offers(ctx, who, f, req)
			for _, o := range p.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, side(o.Owner), o.Kind, o.Visibility, strings.Join(o.Provisions, ","), o.Title)
			}
			return p.Next, err
		})
	default:
		list := svc.Published
		if mine {
			list = svc.Mine
		}
		fmt.Fprintln(tw, "ID\tNEED\tOFFER\tSTATUS\tPUBLISHED\tTITLE")
		err = everyPage(req, func(req page.Request) (string, error) {
			p, err := list(ctx, who, req)
			for _, x := range p.Items {
				published := "-"
				if x.PublishedAt != nil {
					published = x.PublishedAt.UTC().Format(time.DateOnly)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.NeedState, side(x.OfferState), x.Status, published, x.NeedTitle)
			}
			return p.Next, err
		})
	}
	if err != nil {
		return describe(flagFields(err))
	}
	return tw.Flush()
}

// side names the owner of an offer: a State's code, or the secretariat.
func side(state string) string {
	if state == "" {
		return "secretariat"
	}
	return state
}

// everyPage calls one for each page of a list, from req, until the last.
func everyPage(req page.Request, one func(page.Request) (next string, err error)) error {
	for {
		next, err := one(req)
		if err != nil || next == "" {
			return err
		}
		if req, err = nextPage(next); err != nil {
			return err
		}
	}
}
