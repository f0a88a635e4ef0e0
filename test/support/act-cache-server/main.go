// The cache server of nektos/act (the Actions cache service v1 protocol, written independently of GitHub's
// and of our fake), started for the action's tests: `act-cache-server DIR` prints its base URL (the
// ACTIONS_CACHE_URL, without the trailing slash) and serves until stdin closes.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/nektos/act/pkg/artifactcache"
	"github.com/sirupsen/logrus"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: act-cache-server DIR")
		os.Exit(2)
	}
	logger := logrus.New()
	logger.SetOutput(os.Stderr)
	h, err := artifactcache.StartHandler(os.Args[1], "", "127.0.0.1", 0, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(h.ExternalURL())
	// The test holds stdin open; when it ends (or dies), so does the server.
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = h.Close()
}
