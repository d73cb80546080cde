#!/usr/bin/perl
# Reads many network namespaces in ONE process, kept running by the helper: for
# each namespace file named on stdin (NUL-separated; an empty name ends a batch,
# answered by an end frame with nsIndex 0xFFFFFFFF), setns(2) into it, open a rtnetlink socket there and dump
# links, addresses, routes, rules and netconf, plus the nf_tables table list (to
# know whether iptables-save has anything to say). Prints the raw netlink replies,
# framed, for helper/discover/netlink.ts to decode:
#   frame = u32 nsIndex, u32 dumpIndex, i32 status (0 ok, -errno), u32 length, bytes
# Spawning one process per namespace costs far more than the kernel work; this
# costs one process for all of them. No shell, no arguments from requests: paths
# come from the helper's own listing of /run/netns and /proc.
use strict;
use warnings;
use Socket qw(SOCK_RAW);
use constant AF_NETLINK => 16;
use POSIX ();

my %SETNS = (x86_64 => 308, aarch64 => 268, i686 => 346, armv7l => 375, ppc64le => 350, s390x => 339, riscv64 => 268);
my $arch = (POSIX::uname())[4];
my $SYS_setns = $SETNS{$arch} // die "nl-dump: unknown architecture $arch\n";
my $CLONE_NEWNET = 0x40000000;
my ($NLM_F_REQUEST, $NLM_F_DUMP) = (1, 0x300);
my ($NLMSG_ERROR, $NLMSG_DONE) = (2, 3);

# dumpIndex => [protocol, type, payload]
my @DUMPS = (
  [0, 18, pack('C x S l L L', 0, 0, 0, 0, 0)],     # RTM_GETLINK, ifinfomsg
  [0, 22, pack('C C C C L', 0, 0, 0, 0, 0)],       # RTM_GETADDR, ifaddrmsg
  [0, 26, pack('C8 L', 0, 0, 0, 0, 0, 0, 0, 0, 0)], # RTM_GETROUTE, rtmsg: every table, every family
  [0, 34, pack('C8 L', 0, 0, 0, 0, 0, 0, 0, 0, 0)], # RTM_GETRULE, fib_rule_hdr
  [0, 82, pack('C x3', 0)],                          # RTM_GETNETCONF, netconfmsg
  [12, (10 << 8) | 1, pack('C C n', 0, 0, 0)],      # NFT_MSG_GETTABLE over NETLINK_NETFILTER
);

# `--links`: link dumps only (their counters), for throughput sampling (helper/rates/): a fraction of a full read
my $LINKS_ONLY = grep { $_ eq '--links' } @ARGV;
splice(@DUMPS, 1) if $LINKS_ONLY;

binmode STDOUT;
$| = 0;
local $/ = "\0";
my $seq = 0;
my $ns = 0;
my $dest = pack('S x2 L L', AF_NETLINK, 0, 0);

sub frame { my ($n, $d, $status, $bytes) = @_; print STDOUT pack('L L l L', $n, $d, $status, length $bytes), $bytes; }

# One socket per protocol per namespace (sockets belong to the namespace they were made in).
sub dump_one {
  my ($s, $type, $payload) = @_;
  $seq++;
  my $msg = pack('L S S L L', 16 + length($payload), $type, $NLM_F_REQUEST | $NLM_F_DUMP, $seq, 0) . $payload;
  defined(send($s, $msg, 0, $dest)) or return (-($! + 0), '');
  my $out = '';
  while (1) {
    my $buf = '';
    defined(recv($s, $buf, 1 << 20, 0)) or return (-($! + 0), $out);
    my $off = 0;
    while ($off + 16 <= length $buf) {
      my ($len, $t) = unpack('L S', substr($buf, $off, 6));
      last if $len < 16;
      return (0, $out) if $t == $NLMSG_DONE;
      return (unpack('l', substr($buf, $off + 16, 4)), $out) if $t == $NLMSG_ERROR;
      $out .= substr($buf, $off, $len);
      $off += ($len + 3) & ~3;
    }
  }
}

# Where we started: after each batch we go back, so this long-lived process never keeps
# a namespace alive (a namespace someone deleted must vanish, with its veths).
open(my $home, '<', '/proc/self/ns/net') or die "nl-dump: cannot open my own namespace: $!\n";

while (defined(my $path = <STDIN>)) {
  chomp $path;
  if ($path eq '') {
    # an empty record ends a batch: go home, mark the end, flush
    syscall($SYS_setns, fileno($home), $CLONE_NEWNET);
    frame(0xFFFFFFFF, 0, 0, '');
    $| = 1;
    $| = 0;
    $ns = 0;
    next;
  }
  my $i = $ns++;
  my $fh;
  if (!open($fh, '<', $path)) { frame($i, 255, -($! + 0), ''); next; }
  if (syscall($SYS_setns, fileno($fh), $CLONE_NEWNET) != 0) { frame($i, 255, -($! + 0), ''); close $fh; next; }
  close $fh;
  my %sock;
  for my $d (0 .. $#DUMPS) {
    my ($proto, $type, $payload) = @{ $DUMPS[$d] };
    if (!$sock{$proto} && !socket($sock{$proto}, AF_NETLINK, SOCK_RAW, $proto)) {
      delete $sock{$proto};
      frame($i, $d, -($! + 0), '');
      next;
    }
    my ($status, $bytes) = dump_one($sock{$proto}, $type, $payload);
    frame($i, $d, $status, $bytes);
  }
  close $_ for values %sock;
  next if $LINKS_ONLY;
  # legacy (x_tables) iptables: the table names of this namespace, as /proc shows them from inside it
  my $names = '';
  if (open(my $t, '<', '/proc/self/net/ip_tables_names')) { local $/; $names = <$t> // ''; close $t; }
  frame($i, scalar @DUMPS, 0, $names);
}
