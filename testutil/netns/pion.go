package netns

import (
	"fmt"
	"net"
	"runtime"

	"github.com/pion/transport/v3"
	"github.com/pion/transport/v3/stdnet"
	"golang.org/x/sys/unix"
)

// Do runs fn on an OS thread that has entered the namespace. A socket
// belongs to the namespace it was created in for its whole life, so
// sockets fn opens stay in the namespace after Do returns, while the rest
// of the process (the test, its servers) stays on the host. The thread
// goes back to the host's namespace before the Go scheduler may reuse it;
// if it cannot, it ends with the goroutine instead. (Threads must not end
// needlessly: a child started with Pdeathsig from a thread that ends is
// killed.)
func (ns *NS) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		host, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("open this thread's namespace: %w", err)
			return
		}
		defer unix.Close(host)
		fd, err := unix.Open("/run/netns/"+ns.Name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("open namespace %s: %w", ns.Name, err)
			return
		}
		err = unix.Setns(fd, unix.CLONE_NEWNET)
		_ = unix.Close(fd)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter namespace %s: %w", ns.Name, err)
			return
		}
		err = fn()
		if unix.Setns(host, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		} // else: stay locked, and the thread ends with this goroutine
		errc <- err
	}()
	return <-errc
}

// Net is a pion network whose interfaces are the namespace's and whose
// sockets are opened inside it: a pion PeerConnection given it (through
// SettingEngine.SetNet) gathers, connects and relays as a peer living in
// the namespace would, though it runs in the test's process.
func (ns *NS) Net() (transport.Net, error) {
	var n *stdnet.Net
	// stdnet reads the interface list when it is made: make it inside.
	if err := ns.Do(func() (err error) { n, err = stdnet.NewNet(); return err }); err != nil {
		return nil, err
	}
	return &nsNet{Net: n, ns: ns}, nil
}

type nsNet struct {
	*stdnet.Net
	ns *NS
}

// in runs open inside the namespace and returns what it opened.
func in[T any](ns *NS, open func() (T, error)) (T, error) {
	var v T
	err := ns.Do(func() (err error) { v, err = open(); return err })
	return v, err
}

func (n *nsNet) ListenPacket(network, address string) (net.PacketConn, error) {
	return in(n.ns, func() (net.PacketConn, error) { return n.Net.ListenPacket(network, address) })
}

func (n *nsNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	return in(n.ns, func() (transport.UDPConn, error) { return n.Net.ListenUDP(network, laddr) })
}

func (n *nsNet) ListenTCP(network string, laddr *net.TCPAddr) (transport.TCPListener, error) {
	return in(n.ns, func() (transport.TCPListener, error) { return n.Net.ListenTCP(network, laddr) })
}

func (n *nsNet) Dial(network, address string) (net.Conn, error) {
	return in(n.ns, func() (net.Conn, error) { return n.Net.Dial(network, address) })
}

func (n *nsNet) DialUDP(network string, laddr, raddr *net.UDPAddr) (transport.UDPConn, error) {
	return in(n.ns, func() (transport.UDPConn, error) { return n.Net.DialUDP(network, laddr, raddr) })
}

func (n *nsNet) DialTCP(network string, laddr, raddr *net.TCPAddr) (transport.TCPConn, error) {
	return in(n.ns, func() (transport.TCPConn, error) { return n.Net.DialTCP(network, laddr, raddr) })
}

func (n *nsNet) CreateDialer(d *net.Dialer) transport.Dialer {
	return nsDialer{d: d, ns: n.ns}
}

type nsDialer struct {
	d  *net.Dialer
	ns *NS
}

func (d nsDialer) Dial(network, address string) (net.Conn, error) {
	return in(d.ns, func() (net.Conn, error) { return d.d.Dial(network, address) })
}
