// Subscriber preferences (usr_pref=1) of the NGCP provisioning schema, one per line:
// name|data_type|max_occur|internal|read_only|group|enum values. A line that starts with
// spaces continues the enum list of the line above. "*" after the type marks name-mapped
// preferences that the API reports as "string"; "null" in an enum list is the "use
// default" option, and an empty entry is the empty-string option.

let preferenceTableText = """
    aa_extensions_dial_mode|enum|1|0|0|Cloud PBX|null,disabled,enabled
    aa_timeout_repetition|int|1|0|0|Cloud PBX|
    aa_wrongkey_repetition|int|1|0|0|Cloud PBX|
    ac|string|1|0|0|Number Manipulations|
    accept_auto_answer|enum|1|0|0|Internals|null,yes,no
    account_id|int|1|1|0|Internals|
    adm_block_in_clir|boolean|1|0|0|Call Blockings|
    adm_block_in_list|string|0|0|0|Call Blockings|
    adm_block_in_mode|boolean|1|0|0|Call Blockings|
    adm_block_out_list|string|0|0|0|Call Blockings|
    adm_block_out_mode|boolean|1|0|0|Call Blockings|
    adm_block_out_override_pin|string|1|0|0|Call Blockings|
    adm_cf_ncos|string*|1|-1|0|Call Blockings|
    adm_cf_ncos_id|int|1|1|0|Call Blockings|
    adm_cf_ncos_set|string*|1|-1|0|Call Blockings|
    adm_cf_ncos_set_id|int|1|1|0|Call Blockings|
    adm_ncos|string*|1|-1|0|Call Blockings|
    adm_ncos_exceptions|int|0|0|0|Call Blockings|
    adm_ncos_id|int|1|1|0|Call Blockings|
    adm_ncos_set|string*|1|-1|0|Call Blockings|
    adm_ncos_set_id|int|1|1|0|Call Blockings|
    advice_of_charge|enum|1|0|0|Internals|null,currency,pulse
    alert_info_type|enum|1|0|0|Internals|null,internal_external,url
    alert_info_url|string|1|0|0|Internals|
    allow_asymmetric_codecs|boolean|1|0|0|Media Codec Transcoding Options|
    allow_out_foreign_domain|boolean|1|0|0|Access Restrictions|
    allowed_clis|string|0|0|0|Access Restrictions|
    allowed_clis_reject_policy|enum|1|0|0|Access Restrictions|null,override_by_usernpn
        ,override_by_clir,reject
    allowed_ips|string|0|0|0|Access Restrictions|
    allowed_ips_grp|string|0|1|0|Access Restrictions|
    allowed_ips_header|string|1|0|0|Access Restrictions|
    always_transcode|boolean|1|0|0|Media Codec Transcoding Options|
    AMR_bitrate|enum|1|0|0|Media Codec Transcoding Options|null,,4750,5150,5900,6700,7400,7950
        ,10200,12200
    AMR_CMR_interval|int|1|0|0|Media Codec Transcoding Options|
    AMR_mode_change_capability|enum|1|0|0|Media Codec Transcoding Options|null,,1,2
    AMR_mode_change_interval|int|1|0|0|Media Codec Transcoding Options|
    AMR_mode_change_neighbor|boolean|1|0|0|Media Codec Transcoding Options|
    AMR_mode_change_period|enum|1|0|0|Media Codec Transcoding Options|null,,2
    AMR_mode_set|string|1|0|0|Media Codec Transcoding Options|
    AMR_octet_align|boolean|1|0|0|Media Codec Transcoding Options|
    AMR_WB_bitrate|enum|1|0|0|Media Codec Transcoding Options|null,,6600,8850,12650,14250,15850
        ,18250,19850,23050,23850
    AMR_WB_CMR_interval|int|1|0|0|Media Codec Transcoding Options|
    AMR_WB_mode_change_capability|enum|1|0|0|Media Codec Transcoding Options|null,,1,2
    AMR_WB_mode_change_interval|int|1|0|0|Media Codec Transcoding Options|
    AMR_WB_mode_change_neighbor|boolean|1|0|0|Media Codec Transcoding Options|
    AMR_WB_mode_change_period|enum|1|0|0|Media Codec Transcoding Options|null,,2
    AMR_WB_mode_set|string|1|0|0|Media Codec Transcoding Options|
    AMR_WB_octet_align|boolean|1|0|0|Media Codec Transcoding Options|
    announce_conn_type|enum|1|0|0|Cloud PBX|null,early,established
    announce_error_codes_enable|boolean|1|0|0|NAT and Media Flow Control|
    announce_error_codes_list|string|0|0|0|NAT and Media Flow Control|
    auto_attendant|boolean|1|1|0|Internals|
    block_in_clir|boolean|1|0|0|Call Blockings|
    block_in_list|string|0|0|0|Call Blockings|
    block_in_mode|boolean|1|0|0|Call Blockings|
    block_out_list|string|0|0|0|Call Blockings|
    block_out_mode|boolean|1|0|0|Call Blockings|
    block_out_override_pin|string|1|0|0|Call Blockings|
    busy_hg_member_mode|enum|1|0|0|Cloud PBX|null,ring,skip_totaluser,skip_activeuser
    bypass_rtpproxy|enum|1|0|0|NAT and Media Flow Control|null,never,same_nat,both_public
    call_deflection|enum|1|0|0|Internals|null,enabled,disabled,immediate
    call_log_level|enum|1|0|0|Internals|notice,info,debug
    calllist_clir_scope|enum|1|0|0|Access Restrictions|null,external,all
    cc|string|1|0|0|Number Manipulations|
    cfb|int|0|1|1|Call Forwards|
    cfna|int|0|1|1|Call Forwards|
    cfo|int|0|1|1|Call Forwards|
    cfr|int|0|1|1|Call Forwards|
    cfs|int|0|1|1|Call Forwards|
    cft|int|0|1|1|Call Forwards|
    cfu|int|0|1|1|Call Forwards|
    cli|string|1|0|0|Number Manipulations|
    clip_no_screening|boolean|1|0|0|Number Manipulations|
    clir|boolean|1|0|0|Number Manipulations|
    clir_intrapbx|boolean|1|0|0|Number Manipulations|
    clir_override|boolean|1|0|0|Number Manipulations|
    cloud_pbx|boolean|1|1|0|Cloud PBX|
    cloud_pbx_base_cli|string|1|1|0|Cloud PBX|
    cloud_pbx_callqueue|boolean|1|0|0|Cloud PBX|
    cloud_pbx_ext|string|1|1|0|Cloud PBX|
    cloud_pbx_hunt_cancel_mode|enum|1|1|0|Cloud PBX|bye,cancel
    cloud_pbx_hunt_group|string|0|1|0|Cloud PBX|
    cloud_pbx_hunt_policy|enum|1|1|0|Cloud PBX|serial,parallel,random,circular,none
    cloud_pbx_hunt_timeout|int|1|1|0|Cloud PBX|
    codecs_filter|boolean|1|0|0|NAT and Media Flow Control|
    codecs_list|string|1|0|0|NAT and Media Flow Control|
    colp_cf|boolean|1|0|0|Number Manipulations|
    colp_pstn|boolean|1|0|0|Number Manipulations|
    colr|boolean|1|0|0|Number Manipulations|
    concurrent_calls_quota|int|1|0|0|Internals|
    concurrent_max|int|1|0|0|Access Restrictions|
    concurrent_max_in|int|1|0|0|Access Restrictions|
    concurrent_max_in_per_account|int|1|0|0|Access Restrictions|
    concurrent_max_in_total|int|1|0|0|Access Restrictions|
    concurrent_max_out|int|1|0|0|Access Restrictions|
    concurrent_max_out_per_account|int|1|0|0|Access Restrictions|
    concurrent_max_out_total|int|1|0|0|Access Restrictions|
    concurrent_max_per_account|int|1|0|0|Access Restrictions|
    concurrent_max_total|int|1|0|0|Access Restrictions|
    conference_max_participants|string|1|0|0|Internals|
    conference_pin|string|1|0|0|Internals|
    connect_on_ported|boolean|1|0|0|Number Portability|
    contact_ringtimeout|int|1|0|0|Internals|
    contract_sound_set|int*|1|0|0|NAT and Media Flow Control|
    convert_dtmf_info|boolean|1|0|0|Media Codec Transcoding Options|
    count_callforward_as_one|boolean|1|0|0|Access Restrictions|
    csc_calls|boolean|1|0|0|Internals|
    csc_conversations|boolean|1|1|0|Internals|
    csc_device_provisioning|boolean|1|1|0|Internals|
    csc_hunt_groups|boolean|1|1|0|Internals|
    csc_registered_devices|boolean|1|1|0|Internals|
    csta_client|boolean|1|0|0|Cloud PBX|
    csta_controller|boolean|1|0|0|Cloud PBX|
    default_lnp_prefix|string|1|0|0|Number Portability|
    disable_prack_method|boolean|1|0|0|Internals|
    display_name|string|1|0|0|Number Manipulations|
    divert_block_out|string|1|0|0|Call Blockings|
    dnd|boolean|1|0|0|Access Restrictions|
    DTLS_fingerprint|enum|1|0|0|NAT and Media Flow Control|null,sha-1,sha-224,sha-256,sha-384
        ,sha-512
    e164_to_ruri|boolean|1|0|0|Number Manipulations|
    emergency_cli|string|1|0|0|Number Manipulations|
    emergency_location_format|enum|1|0|0|Number Manipulations|PIDF-LO,cirpack
    emergency_location_object|blob|1|0|0|Number Manipulations|
    emergency_mapping_container|string*|1|-1|0|Number Manipulations|
    emergency_mapping_container_id|int|1|1|0|Number Manipulations|
    emergency_prefix|string|1|0|0|Number Manipulations|
    emergency_priorization|boolean|1|0|0|Internals|
    emergency_suffix|string|1|0|0|Number Manipulations|
    emergency_upn|enum|1|0|0|Number Manipulations|null,npn,upn
    enable_2fa|boolean|1|0|0|Access Restrictions|
    ext_contract_id|string|1|1|0|Internals|
    ext_subscriber_id|string|1|1|0|Internals|
    extended_dialing_mode|enum|1|0|0|Number Manipulations|null,strict,extended_send_dialed
        ,extended_send_base,extended_send_primary_plus_extension
    extension_in_npn|boolean|1|0|0|Number Manipulations|
    fax_server|boolean|1|1|0|Internals|
    force_inbound_calls_to_peer|enum|1|0|0|Internals|null,never,force,force_offline
        ,force_offline_primary,force_offline_alias
    force_outb_call_uses_peer_hdrs|boolean|1|0|0|Number Manipulations|
    force_outbound_calls_to_peer|enum|1|0|0|Internals|null,force_offline,force_offline_primary
        ,force_offline_alias,force,never,force_interpbx,force_interdomain
    g723_bitrate|enum|1|0|0|Media Codec Transcoding Options|null,default,5300,6300
    generate_rtcp|boolean|1|0|0|NAT and Media Flow Control|
    gpp0|string|1|0|0|Internals|
    gpp1|string|1|0|0|Internals|
    gpp2|string|1|0|0|Internals|
    gpp3|string|1|0|0|Internals|
    gpp4|string|1|0|0|Internals|
    gpp5|string|1|0|0|Internals|
    gpp6|string|1|0|0|Internals|
    gpp7|string|1|0|0|Internals|
    gpp8|string|1|0|0|Internals|
    gpp9|string|1|0|0|Internals|
    header_rule_set|int*|1|0|0|Internals|
    ICE_lite|boolean|1|0|0|NAT and Media Flow Control|
    ignore_allowed_ips|boolean|1|0|0|Access Restrictions|
    ims_as_context|boolean|1|0|0|IMS Application Server|
    inbound_upn|enum|1|0|0|Number Manipulations|from_display,pai_user,ppi_user,rpid_user,null
        ,from_user
    inbound_uprn|enum|1|0|0|Number Manipulations|none,npn,null,npn_diversion,diversion,upn
        ,original/npn,original/upn
    ip_header|string|1|0|0|Internals|
    ipv46_for_rtpproxy|enum|1|0|0|NAT and Media Flow Control|null,force_ipv4,force_ipv6,auto
    language|enum|1|0|0|Internals|null,de,en,es,it,ro,fr,ar,he,nl,pt_br,pt
    last_number_redial|boolean|1|0|0|Internals|
    lawful_interception|boolean|1|0|0|Internals|
    lcr_peer_cf|boolean|1|0|0|Internals|
    lnp_add_npdi|boolean|1|0|0|Number Portability|
    lnp_for_local_sub|boolean|1|0|0|Number Portability|
    lnp_to_rn|boolean|1|0|0|Number Portability|
    lock|enum|1|0|1|Access Restrictions|null,1,2,3,4,5
    lookup_all_registrations|boolean|1|0|0|Internals|
    malicious_call_identification|boolean|1|0|0|Applications|
    man_allowed_ips|string|0|0|0|Access Restrictions|
    man_allowed_ips_grp|string|0|1|0|Access Restrictions|
    manager_secretary|boolean|1|0|0|Number Manipulations|
    max_call_duration|string|1|0|0|Access Restrictions|
    max_queue_length|string|1|0|0|Cloud PBX|
    mobile_push_enable|enum|1|0|0|Internals|null,never,always,no_reg,only_push,reg_then_push
        ,push_then_reg
    mobile_push_expiry|int|1|0|0|Internals|
    music_on_hold|boolean|1|0|0|NAT and Media Flow Control|
    nat_sipping|enum|1|0|0|NAT and Media Flow Control|null,yes,no,always
    ncos|string*|1|-1|0|Call Blockings|
    ncos_id|int|1|1|0|Call Blockings|
    ncos_set|string*|1|-1|0|Call Blockings|
    ncos_set_id|int|1|1|0|Call Blockings|
    no_404_fallback|boolean|1|0|0|Number Manipulations|
    opus_complexity|enum|1|0|0|Media Codec Transcoding Options|null,default,0,1,2,3,4,5,6,7,8,9,10
    opus_legacy_mono|boolean|1|0|0|Media Codec Transcoding Options|
    opus_mono_bitrate|enum|1|0|0|Media Codec Transcoding Options|null,default,10000,24000,32000
    opus_stereo_bitrate|enum|1|0|0|Media Codec Transcoding Options|null,default,24000,32000,64000
        ,128000
    original_sendrecv|boolean|1|0|0|NAT and Media Flow Control|
    OSRTP_offer|boolean|1|0|0|NAT and Media Flow Control|
    otp_secret|string|1|1|1|Access Restrictions|
    outbound_diversion|enum|1|0|0|Number Manipulations|none,null,uprn,npn
    outbound_from_display|enum|1|0|0|Number Manipulations|npn,upn,auth_user,rcv_display,null,none
        ,uprn/npn,uprn/upn,uprn/auth_user,uprn/rcv_display,np_display,pbx_extension
        ,pbx_extension/np_display,rcv_display/np_display
    outbound_from_user|enum|1|0|0|Number Manipulations|npn,auth_user,rcv_display,null,upn,uprn/npn
        ,uprn/upn,uprn/auth_user,uprn/rcv_display,pbx_extension
    outbound_from_user_is_phone|boolean|1|0|0|Number Manipulations|
    outbound_history_info|enum|1|0|0|Number Manipulations|none,null,uprn
    outbound_pai_display|enum|1|0|0|Number Manipulations|none,null,npn,upn,auth_user,rcv_display
        ,uprn/npn,uprn/upn,uprn/auth_user,uprn/rcv_display,np_display,rcv_display/np_display
    outbound_pai_user|enum|1|0|0|Number Manipulations|upn,auth_user,rcv_display,null,none,npn
        ,uprn/npn,uprn/upn,uprn/auth_user,uprn/rcv_display,pbx_extension
    outbound_ppi_user|enum|1|0|0|Number Manipulations|npn,upn,auth_user,rcv_display,null,none
        ,uprn/npn,uprn/upn,uprn/auth_user,uprn/rcv_display
    outbound_to_user|enum|1|0|0|Number Manipulations|null,callee,rcvd_to,orig_callee,pbx_extension
    outbound_to_user_is_phone|boolean|1|0|0|Number Manipulations|
    pai_clir|boolean|1|0|0|Number Manipulations|
    peer_auth_hf_user|string|1|0|0|Remote Authentication|
    peer_auth_pass|string|1|0|0|Remote Authentication|
    peer_auth_realm|string|1|0|0|Remote Authentication|
    peer_auth_register|boolean|1|0|0|Remote Authentication|
    peer_auth_registrar_server|string|1|0|0|Remote Authentication|
    peer_auth_user|string|1|0|0|Remote Authentication|
    phonebook|boolean|1|1|0|Internals|
    play_announce_before_call_setup|boolean|1|0|0|Applications|
    play_announce_before_cf|boolean|1|0|0|Applications|
    play_announce_before_recording|enum|1|0|0|Applications|null,always,external_calls_only
        ,internal_calls_only,never
    play_announce_to_callee|boolean|1|0|0|Applications|
    play_emulated_ringback_tone|boolean|1|0|0|Applications|
    ported_n1_to_ruri|boolean|1|0|0|Number Portability|
    prepaid|boolean|1|1|0|Internals|
    ptime|enum|1|0|0|Media Codec Transcoding Options|null,default,5,10,20,30,40,50,60
    queue_wrap_up_time|string|1|0|0|Cloud PBX|
    recent_calls_by_upn|boolean|1|0|0|Internals|
    record_call|enum|1|0|0|NAT and Media Flow Control|0,null,1,2,3
    reject_emergency|boolean|1|0|0|Access Restrictions|
    reject_vsc|boolean|1|0|0|Access Restrictions|
    reminder|boolean|1|1|0|Internals|
    rerouting_codes|int|0|0|0|Internals|
    rerouting_mode|enum|1|0|0|Internals|null,whitelist,blacklist
    reseller_id|int|1|1|0|Internals|
    rewrite_callee_in_dpid|int|1|1|0|Number Manipulations|
    rewrite_callee_lnp_dpid|int|1|1|0|Number Manipulations|
    rewrite_callee_out_dpid|int|1|1|0|Number Manipulations|
    rewrite_caller_in_dpid|int|1|1|0|Number Manipulations|
    rewrite_caller_lnp_dpid|int|1|1|0|Number Manipulations|
    rewrite_caller_out_dpid|int|1|1|0|Number Manipulations|
    rewrite_rule_set|int*|1|-1|0|Number Manipulations|
    ringtimeout|int|1|1|0|Internals|
    rtp_debug|boolean|1|0|0|NAT and Media Flow Control|
    rtp_interface|enum|1|0|0|NAT and Media Flow Control|null
    sdp_crypto_base64_padding|boolean|1|0|0|NAT and Media Flow Control|
    sdp_media_remove|string|1|0|0|NAT and Media Flow Control|
    secretary_numbers|string|0|0|0|Number Manipulations|
    serial_forking_by_q_value|enum|1|0|0|Internals|null,no,standard,probability
    set_moh_sendonly|boolean|1|0|0|NAT and Media Flow Control|
    set_moh_zeroconnection|boolean|1|0|0|NAT and Media Flow Control|
    shared_buddylist_visibility|boolean|1|0|0|XMPP Settings|
    show_otp_registration_info|boolean|1|1|1|Access Restrictions|
    single_codec|boolean|1|0|0|NAT and Media Flow Control|
    sip_ping_notify|boolean|1|0|0|NAT and Media Flow Control|
    sip_ping_notify_codecs_list|int|0|0|0|NAT and Media Flow Control|
    skip_upn_check_on_diversion|enum|1|0|0|Number Manipulations|null,no,yes,check_aliases
        ,check_allowed_clis,diversion,historyinfo
    sound_set|int*|1|0|0|NAT and Media Flow Control|
    speed_dial|boolean|1|1|0|Internals|
    sst_enable|enum|1|0|0|Session Timers|null,no,yes
    sst_expires|int|1|0|0|Session Timers|
    sst_max_timer|int|1|0|0|Session Timers|
    sst_min_timer|int|1|0|0|Session Timers|
    sst_refresh_method|enum|1|0|0|Session Timers|null,UPDATE_FALLBACK_INVITE,UPDATE,INVITE
    stir_check|boolean|1|0|0|Internals|
    stop_forking_code_lists|int|0|0|0|Internals|
    support_auto_answer|enum|1|0|0|Internals|null,no,phone,vsc
    T38_decode|boolean|1|0|0|Media Codec Transcoding Options|
    T38_FEC|boolean|1|0|0|Media Codec Transcoding Options|
    T38_force|boolean|1|0|0|Media Codec Transcoding Options|
    T38_no_ECM|boolean|1|0|0|Media Codec Transcoding Options|
    T38_no_IAF|boolean|1|0|0|Media Codec Transcoding Options|
    T38_no_V17|boolean|1|0|0|Media Codec Transcoding Options|
    T38_no_V27ter|boolean|1|0|0|Media Codec Transcoding Options|
    T38_no_V29|boolean|1|0|0|Media Codec Transcoding Options|
    T38_no_V34|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_AMR|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_AMR_WB|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_cn|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_dtmf|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_G722|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_G723|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_G729|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_GSM|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_opus_mono|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_opus_stereo|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_PCMA|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_PCMU|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_speex_16|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_speex_32|boolean|1|0|0|Media Codec Transcoding Options|
    transcode_speex_8|boolean|1|0|0|Media Codec Transcoding Options|
    transport_protocol|enum|1|0|0|NAT and Media Flow Control|null,transparent,RTP/AVP,RTP/SAVP
        ,RTP/AVPF,RTP/SAVPF,UDP/TLS/RTP/SAVP,UDP/TLS/RTP/SAVPF
    ua_filter_list|string|0|0|0|Access Restrictions|
    ua_filter_mode|boolean|1|0|0|Access Restrictions|
    ua_header_mode|enum|1|0|0|Internals|null,passthrough,replace,strip
    ua_header_replace|string|1|0|0|Internals|
    ua_reject_missing|boolean|1|0|0|Access Restrictions|
    upn_block_clir|boolean|1|0|0|Call Blockings|
    upn_block_list|string|0|0|0|Call Blockings|
    upn_block_mode|boolean|1|0|0|Call Blockings|
    upn_rewrite_id|int|1|1|0|Number Manipulations|
    use_rtpproxy|enum|1|0|0|NAT and Media Flow Control|null,ice_add_candidates
        ,ice_replace_candidates,never,ice_strip_candidates,ice_force_relay_candidates
        ,ice_client_preference
    user_cli|string|1|0|0|Number Manipulations|
    voice_mail|boolean|1|1|0|Internals|
    voicemail_echo_number|string|1|0|0|Number Manipulations|
    """

/// Labels and descriptions as the API reports them, for the preferences where they are known.
let preferenceTexts: [String: (label: String, description: String)] = [
    "concurrent_max": (
        label: "Maximum number of concurrent calls",
        description:
            "Maximum number of overall (incoming and outgoing) concurrent on-"
            + "net and off-net calls for a subscriber or peer, excluding calls "
            + "from subscriber to the application server and intra-PBX calls."
    ),
    "block_in_list": (
        label: "Block List for inbound calls",
        description:
            "Contains wildcarded SIP usernames (the localpart of the whole SI"
            + "P URI, eg., \"user\" of SIP URI \"user@example.com\") that are (not)"
            + " allowed to call the subscriber. \"*\", \"?\" and \"[x-y]\" with \"x\" a"
            + "nd \"y\" representing numbers from 0 to 9 may be used as wildcards"
            + " like in shell patterns."
    ),
    "block_in_mode": (
        label: "Block Mode for inbound calls",
        description:
            "Specifies the operational mode of the incoming block list. If un"
            + "set or set to a false value, it is a blacklist (accept all calls"
            + " except from numbers listed in the block list), with a true valu"
            + "e it is a whitelist (reject all calls except from numbers listed"
            + " in the block list)."
    ),
    "language": (
        label: "Language for voicemail and app server",
        description:
            "Voice prompts language for voicemail, conference and application"
            + " server."
    ),
    "cli": (
        label: "Network-Provided CLI",
        description:
            "SIP username (the localpart of the whole SIP URI, eg., \"user\" of"
            + " SIP URI \"user@example.com\"). \"network-provided calling line ide"
            + "ntification\" - specifies the SIP username that is used for outgo"
            + "ing calls in the SIP \"From\" and \"P-Asserted-Identity\" headers (a"
            + "s user- and network-provided calling numbers). The content of th"
            + "e \"From\" header may be overridden by the \"user_cli\" preference a"
            + "nd client (if allowed by the \"allowed_clis\" preference) SIP sign"
            + "alling. Automatically set to the primary E.164 number specified "
            + "in the subscriber details."
    ),
    "display_name": (
        label: "Network-Provided Display Name",
        description:
            "The network-provided display name used for XMPP contacts and opt"
            + "ionally SIP outbound header manipulation."
    ),
    "lock": (
        label: "Lock Level",
        description:
            "For a list of possible values, see the \"lock\" field in the API d"
            + "oc for /api/subscribers. A lock value of \"none\" will not be retu"
            + "rned to the caller. Read-only setting."
    ),
    "cc": (
        label: "Country Code",
        description:
            "The country code that will be used for routing of dialed numbers"
            + " without a country code. Defaults to the country code of the E.1"
            + "64 number if the subscriber has one."
    ),
    "ncos": (
        label: "NCOS Level",
        description:
            "Specifies the NCOS level that applies to the user."
    ),
    "allowed_clis": (
        label: "Allowed CLIs for outbound calls",
        description:
            "A list of shell patterns specifying which CLIs are allowed to be"
            + " set by the subscriber. \"*\", \"?\" and \"[x-y]\" with \"x\" and \"y\" re"
            + "presenting numbers from 0 to 9 may be used as wildcards as usual"
            + " in shell patterns."
    ),
]

/// Labels of enum options, where the API reports more than the value itself.
let preferenceEnumLabels: [String: [String: String]] = [
    "language": [
        "null": "use domain default",
        "de": "German",
        "en": "English",
        "es": "Spanish",
        "it": "Italian",
        "ro": "Romanian",
        "fr": "French",
        "ar": "Arabic",
        "he": "Hebrew",
        "nl": "Dutch",
        "pt_br": "Brazilian Portuguese",
        "pt": "Portuguese",
    ],
    "lock": [
        "null": "none",
        "1": "foreign",
        "2": "outgoing",
        "3": "incoming and outgoing",
        "4": "global",
        "5": "ported",
    ],
]
