#!/usr/bin/perl
# Configures many namespaces from ONE process (see ./netlink-lanes.ts for why):
# for each namespace it enters it with setns(2) and sends the few rtnetlink
# requests the planner's simplest `ip` lines stand for, one at a time, each
# acknowledged before the next. Perl because it is on every Debian-like host
# (perl-base is essential) and can make raw syscalls and netlink sockets; no
# module outside perl-base is used.
#
# stdin:  `ns NAME` then that namespace's lines, one `ip` argv per line, fields
#         separated by TAB (without the leading `ip`); repeated per namespace.
# stdout: per namespace, `ok NAME COUNT`, or `fail NAME INDEX<TAB>ERROR` where
#         INDEX is the 0-based line that failed (lines before it took effect,
#         none after it ran), ERROR the text `ip` would have printed.
# argv:   the setns syscall number of this architecture.
use strict;
use warnings;
use Socket qw(AF_INET AF_INET6 SOCK_RAW inet_pton);

my $SYS_setns = shift @ARGV or die "usage: netlink-lanes.pl SYS_SETNS\n";
use constant {
  AF_NETLINK => 16, NETLINK_ROUTE => 0, CLONE_NEWNET => 0x40000000,
  RTM_NEWLINK => 16, RTM_GETLINK => 18, RTM_NEWADDR => 20, RTM_NEWROUTE => 24,
  NLMSG_ERROR => 2, NLM_F_REQUEST => 1, NLM_F_ACK => 4, NLM_F_EXCL => 0x200, NLM_F_CREATE => 0x400,
  IFLA_IFNAME => 3, IFLA_MTU => 4, IFF_UP => 1,
  IFA_ADDRESS => 1, IFA_LOCAL => 2, IFA_F_NODAD => 0x02,
  RTA_DST => 1, RTA_OIF => 4, RTA_GATEWAY => 5, RTA_PRIORITY => 6,
  RT_TABLE_MAIN => 254, RTPROT_BOOT => 3, RT_SCOPE_UNIVERSE => 0, RT_SCOPE_LINK => 253, RT_SCOPE_HOST => 254, RTN_UNICAST => 1,
};

$| = 1;
my $seq = 0;

sub attr {
  my ($type, $data) = @_;
  my $len = 4 + length($data);
  return pack('SS', $len, $type) . $data . ("\0" x ((4 - $len % 4) % 4));
}

sub ifname_attr { return attr(IFLA_IFNAME, $_[0] . "\0"); }

# one request, its acknowledgement (or answer); returns (errno, payload of the first answer)
sub talk {
  my ($sock, $type, $flags, $body) = @_;
  $seq++;
  my $msg = pack('LSSLL', 16 + length($body), $type, $flags | NLM_F_REQUEST | NLM_F_ACK, $seq, 0) . $body;
  defined(send($sock, $msg, 0)) or return ($! + 0, undef);
  my $answer;
  while (1) {
    my $buf = '';
    defined(recv($sock, $buf, 65536, 0)) or return ($! + 0, undef);
    my $off = 0;
    while ($off + 16 <= length($buf)) {
      my ($len, $t, undef, $s) = unpack('LSSL', substr($buf, $off, 16));
      last if $len < 16;
      my $payload = substr($buf, $off + 16, $len - 16);
      $off += ($len + 3) & ~3;
      next if $s != $seq;
      if ($t == NLMSG_ERROR) {
        my $err = unpack('l', $payload);
        return (-$err, $answer);
      }
      $answer //= $payload;
    }
  }
}

sub strerr { local $! = $_[0]; return "$!"; }

sub ifindex {
  my ($sock, $name) = @_;
  my ($err, $answer) = talk($sock, RTM_GETLINK, 0, pack('CCSlLL', 0, 0, 0, 0, 0, 0) . ifname_attr($name));
  return undef if $err || !defined $answer;
  return (unpack('CCSlLL', $answer))[3];
}

# `10.0.0.2/16` → (family, packed address, prefix length)
sub cidr {
  my ($text) = @_;
  my ($a, $len) = split m{/}, $text, 2;
  my $fam = index($a, ':') >= 0 ? AF_INET6 : AF_INET;
  my $bin = inet_pton($fam, $a);
  return () unless defined $bin;
  $len = $fam == AF_INET ? 32 : 128 unless defined $len;
  return ($fam, $bin, $len);
}

sub no_device { return "Cannot find device \"$_[0]\""; }

# One line → undef (done) or the error text.
sub run_line {
  my ($sock, @a) = @_;
  my $obj = shift @a // '';
  my $verb = shift @a // '';
  if ($obj eq 'link' && $verb eq 'set' && @a == 3 && $a[0] eq 'dev' && ($a[2] eq 'up' || $a[2] eq 'down')) {
    my $flags = $a[2] eq 'up' ? IFF_UP : 0;
    my ($err) = talk($sock, RTM_NEWLINK, 0, pack('CCSlLL', 0, 0, 0, 0, $flags, IFF_UP) . ifname_attr($a[1]));
    return $err == 19 ? no_device($a[1]) : $err ? 'RTNETLINK answers: ' . strerr($err) : undef;
  }
  if ($obj eq 'link' && $verb eq 'set' && @a == 4 && $a[0] eq 'dev' && $a[2] eq 'mtu' && $a[3] =~ /^\d+$/) {
    my ($err) = talk($sock, RTM_NEWLINK, 0, pack('CCSlLL', 0, 0, 0, 0, 0, 0) . ifname_attr($a[1]) . attr(IFLA_MTU, pack('L', $a[3])));
    return $err == 19 ? no_device($a[1]) : $err ? 'RTNETLINK answers: ' . strerr($err) : undef;
  }
  if (($obj eq 'addr' || $obj eq 'address') && $verb eq 'add' && (@a == 3 || (@a == 4 && $a[3] eq 'nodad')) && $a[1] eq 'dev') {
    my ($fam, $bin, $len) = cidr($a[0]);
    return "Error: an inet prefix is expected rather than \"$a[0]\"." unless defined $fam;
    my $index = ifindex($sock, $a[2]);
    return no_device($a[2]) unless $index;
    my $loopback = $fam == AF_INET ? substr($bin, 0, 1) eq "\x7f" : $bin eq inet_pton(AF_INET6, '::1');
    my $scope = $loopback ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
    my $ifa_flags = @a == 4 ? IFA_F_NODAD : 0;
    my ($err) = talk($sock, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, pack('CCCCL', $fam, $len, $ifa_flags, $scope, $index) . attr(IFA_LOCAL, $bin) . attr(IFA_ADDRESS, $bin));
    return $err ? 'RTNETLINK answers: ' . strerr($err) : undef;
  }
  if ($obj eq 'route' && $verb eq 'add' && @a) {
    my $to = shift @a;
    my ($fam, $dst, $len) = $to eq 'default' ? (AF_INET, '', 0) : cidr($to);
    return "Error: an inet prefix is expected rather than \"$to\"." unless defined $fam;
    my ($gw, $dev, $metric);
    while (@a >= 2) {
      my ($k, $v) = splice(@a, 0, 2);
      if ($k eq 'via') { $gw = inet_pton($fam, $v); return "Error: inet address is expected rather than \"$v\"." unless defined $gw; }
      elsif ($k eq 'dev') { $dev = $v; }
      elsif ($k eq 'metric' && $v =~ /^\d+$/) { $metric = $v; }
      else { return "unsupported route option $k"; }
    }
    return 'unsupported route form' if @a || (!defined $gw && !defined $dev);
    my $body = '';
    $body .= attr(RTA_DST, $dst) if $len;
    $body .= attr(RTA_GATEWAY, $gw) if defined $gw;
    if (defined $dev) {
      my $index = ifindex($sock, $dev);
      return no_device($dev) unless $index;
      $body .= attr(RTA_OIF, pack('L', $index));
    }
    $body .= attr(RTA_PRIORITY, pack('L', $metric)) if defined $metric;
    my $scope = defined $gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    my ($err) = talk($sock, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, pack('C8L', $fam, $len, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, $scope, RTN_UNICAST, 0) . $body);
    return $err ? 'RTNETLINK answers: ' . strerr($err) : undef;
  }
  return 'unsupported line: ' . join(' ', $obj, $verb, @a);
}

my ($ns, @lines);
sub finish_ns {
  return unless defined $ns;
  my $name = $ns;
  my @todo = @lines;
  ($ns, @lines) = (undef);
  my $fh;
  unless (open($fh, '<', "/run/netns/$name")) {
    print "fail $name 0\tCannot open network namespace \"$name\": $!\n";
    return;
  }
  if (syscall($SYS_setns + 0, fileno($fh), CLONE_NEWNET) != 0) {
    print "fail $name 0\tsetting the network namespace \"$name\" failed: $!\n";
    close $fh;
    return;
  }
  close $fh;
  my $sock;
  unless (socket($sock, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)) {
    print "fail $name 0\tCannot open netlink socket: $!\n";
    return;
  }
  for my $i (0 .. $#todo) {
    my $err = run_line($sock, split /\t/, $todo[$i]);
    if (defined $err) {
      $err =~ s/[\r\n\t]+/ /g;
      print "fail $name $i\t$err\n";
      close $sock;
      return;
    }
  }
  close $sock;
  print 'ok ', $name, ' ', scalar(@todo), "\n";
}

while (my $line = <STDIN>) {
  chomp $line;
  next if $line eq '';
  if ($line =~ /^ns (\S+)$/) {
    finish_ns();
    $ns = $1;
    @lines = ();
  } else {
    push @lines, $line;
  }
}
finish_ns();
