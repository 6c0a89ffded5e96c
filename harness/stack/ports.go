package stack

import (
	"context"
	"fmt"
	"net"
)

// ports are the loopback ports of one stack; all distinct and free when
// picked, so two stacks (a test and a demo) can run side by side.
type ports struct {
	postgres    int
	grpc        int
	api         int // hatchet-lite's proxy (LITE_RUNTIME_PORT), the public REST URL
	server      int // the API server behind the proxy (SERVER_PORT)
	frontend    int // static files (LITE_FRONTEND_PORT)
	healthcheck int // SERVER_HEALTHCHECK_PORT
}

func (s *Stack) pickPorts(context.Context) error {
	p, err := freePorts(6)
	if err != nil {
		return err
	}
	s.ports = ports{postgres: p[0], grpc: p[1], api: p[2], server: p[3], frontend: p[4], healthcheck: p[5]}
	s.GRPCAddr = fmt.Sprintf("localhost:%d", s.ports.grpc)
	s.APIURL = fmt.Sprintf("http://localhost:%d", s.ports.api)
	return nil
}

// freePorts asks the kernel for n ports, holding all listeners until every
// port is chosen so that none is handed out twice.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
