#!/usr/bin/perl
# Build the tiny MaxMind DB files the enrichment tests use (no shipped
# database): mkmmdb.pl asn OUT.mmdb | mkmmdb.pl geo OUT.mmdb
# Needs Debian's libmaxmind-db-writer-perl.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($kind, $out) = @ARGV;
die "usage: mkmmdb.pl asn|geo OUT.mmdb\n" unless $kind && $out && $kind =~ /^(asn|geo)$/;
my %types = (
	autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
	country => 'map', registered_country => 'map', iso_code => 'utf8_string',
);
my $t = MaxMind::DB::Writer::Tree->new(
	ip_version => 6, record_size => 24,
	database_type => $kind eq 'asn' ? 'GeoLite2-ASN' : 'GeoLite2-Country',
	languages => ['en'], description => { en => "tamperscope test $kind" },
	map_key_type_callback => sub { $types{ $_[0] } },
	alias_ipv6_to_ipv4 => 1, remove_reserved_networks => 0,
);
if ($kind eq 'asn') {
	$t->insert_network('104.16.0.0/13', { autonomous_system_number => 13335, autonomous_system_organization => 'CLOUDFLARENET' });
	$t->insert_network('198.18.1.0/24', { autonomous_system_number => 64500, autonomous_system_organization => 'TS-LAB-1 <b>&amp;"</b>' });
	$t->insert_network('198.18.1.12/32', { autonomous_system_number => 64501, autonomous_system_organization => 'TS-LAB-3' });
	$t->insert_network('2001:db8:1::/48', { autonomous_system_number => 64502, autonomous_system_organization => 'TS-LAB-V6' });
} else {
	$t->insert_network('104.16.0.0/13', { country => { iso_code => 'US' }, registered_country => { iso_code => 'US' } });
	$t->insert_network('198.18.1.0/24', { country => { iso_code => 'NL' } });
	$t->insert_network('198.18.1.12/32', { registered_country => { iso_code => 'FR' } });
	$t->insert_network('2001:db8:1::/48', { country => { iso_code => 'JP' } });
}
open my $fh, '>:raw', $out or die "$out: $!\n";
$t->write_tree($fh);
close $fh or die "$out: $!\n";
