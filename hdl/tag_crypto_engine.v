// tag_crypto_engine: security engine of an Ambient IoT tag (TS 33.369 clause 5.3.2, provisional
// profile profiles/provisional.toml). 128-NEA2 (AES-128-CTR) and 128-NIA2 (AES-128-CMAC, 32-bit
// MAC) on a frame buffer outside the engine, plus the message-level UNPROTECT / PROTECT.
//
// Area-first single datapath shared by NEA2 and NIA2 (one aes128_enc, one 128-bit register):
//   * acc_q is the only 128-bit working register. NEA2: it holds the counter block
//     COUNT||BEARER||DIRECTION||0^26||0^64 + i (low ADDR_W-4 bits incremented in place). NIA2: it
//     holds the next CMAC input, built byte-serially by rotating left one octet per step:
//     new low octet = (first block ? old top octet : X_{i-1} octet j) ^ message octet, where X_{i-1}
//     is read straight from the AES out_block while the core holds it (out_ready low). The first
//     block's 8 header octets are preloaded into acc_q, so the header costs no memory access.
//   * L = AES_K(0) is not stored: it is computed when the last block has been built (in_block is
//     acc_q gated to zero) and K1/K2 are derived octet by octet from the held out_block and XORed
//     into acc_q during 16 rotate steps. The keystream block is likewise consumed octet by octet
//     from the held out_block. The tag (MAC) stays held in the core until the response is taken.
//   * The two keys are one 256-bit ring (key_enc_q, key_int_q) that swaps its halves every
//     cycle; the core always takes its key from key_enc_q, which holds KCommand_enc at ring phase
//     kph_q = 0 and KCommand_int at phase 1, so there is no key-select mux: a block is offered
//     (registered in_valid, one cycle) only at the phase of the wanted key (<= 1 cycle of wait per
//     block). The core is idle in every *SEND state, so the offer is taken at once.
//   * Timing (iCE40): key ring, acc_q and the key/data selects of the core are AND-OR of one-hot
//     selects that are all 0 while clr; the core's in_valid and out_ready are flops; the region
//     compares (full / part / skip) are registered with off_q; the indication octet is decided on
//     one cycle after it is read (S_INDD); the header is loaded in every state that may start a
//     pass (whatever the decision), so no memory-data-dependent decision drives a 128-bit select.
//   * ZEROIZE clears every register of the engine and, through a registered one-cycle pulse on the
//     core's synchronous reset, every register of the AES core (last round key, last output).
// Memory port: one octet per transfer; NEA2 does read then write per octet; the deciphered octets
// of UNPROTECT are written only after the 32-bit MAC comparison has passed.
module tag_crypto_engine #(
  parameter integer ADDR_W      = 12,
  parameter integer CLEAR_LEN   = 2,
  parameter integer IND_OFFSET  = 1,
  parameter [7:0]   IND_NULL    = 8'h01,
  parameter [7:0]   IND_CIPHERED= 8'h02,
  parameter integer MAC_TRAILER = 0,
  parameter [31:0]  REQ_COUNT   = 32'h0,  parameter [4:0] REQ_BEARER = 5'd0, parameter REQ_DIRECTION = 1'b1,
  parameter [31:0]  RSP_COUNT   = 32'h0,  parameter [4:0] RSP_BEARER = 5'd0, parameter RSP_DIRECTION = 1'b0,
  parameter integer FAULT       = 0
) (
  input  wire              clk,
  input  wire              rst_n,
  input  wire              cmd_valid,
  output wire              cmd_ready,
  input  wire [2:0]        cmd_op,
  input  wire [127:0]      cmd_key_enc,
  input  wire [127:0]      cmd_key_int,
  input  wire [31:0]       cmd_count,
  input  wire [4:0]        cmd_bearer,
  input  wire              cmd_direction,
  input  wire [ADDR_W-1:0] cmd_addr,
  input  wire [ADDR_W+3:0] cmd_len,
  output wire              rsp_valid,
  input  wire              rsp_ready,
  output wire [2:0]        rsp_status,
  output wire [31:0]       rsp_mac,
  output wire              mem_req,
  output wire              mem_we,
  output wire [ADDR_W-1:0] mem_addr,
  output wire [7:0]        mem_wdata,
  input  wire              mem_ack,
  input  wire [7:0]        mem_rdata
);
  localparam integer W  = ADDR_W;
  localparam integer LW = ADDR_W + 4;               // length register (bits)
  localparam integer CW = (ADDR_W > 4) ? ADDR_W - 4 : 1; // NEA2 block counter bits in acc_q

  // operations / status
  localparam [2:0] OP_LOAD = 3'd0, OP_ZERO = 3'd1, OP_NEA = 3'd2, OP_NIA = 3'd3,
                   OP_UNP  = 3'd4, OP_PRO  = 3'd5;
  localparam [2:0] ST_OK = 3'd0, ST_MAC_FAIL = 3'd1, ST_BAD_IND = 3'd2, ST_BAD_LEN = 3'd3,
                   ST_NO_KEYS = 3'd4, ST_BAD_OP = 3'd5;

  // layout constants (offsets inside the message)
  localparam integer OFF_BODY0_I = CLEAR_LEN + 4;
  localparam integer OFF_NEA_I   = (MAC_TRAILER != 0) ? CLEAR_LEN : CLEAR_LEN + 4;
  localparam [W:0] OFF_IND   = IND_OFFSET[W:0];
  localparam [W:0] OFF_CLEAR = CLEAR_LEN[W:0];           // MAC field (MAC_TRAILER = 0)
  localparam [W:0] OFF_BODY0 = OFF_BODY0_I[W:0];         // ciphered part (MAC_TRAILER = 0)
  localparam [W:0] OFF_NEA   = OFF_NEA_I[W:0];           // ciphered part
  localparam [LW-1:0] MIN_LEN = OFF_BODY0_I[LW-1:0];
  localparam [LW-1:0] TRAIL   = (MAC_TRAILER != 0) ? 4 : 0;
  localparam [37:0] HDR_REQ = {REQ_COUNT, REQ_BEARER, REQ_DIRECTION};
  localparam [37:0] HDR_RSP = {RSP_COUNT, RSP_BEARER, RSP_DIRECTION};

  // states
  localparam [4:0] S_IDLE = 5'd0,  S_RSP  = 5'd1,  S_IND  = 5'd2,  S_CBUILD = 5'd3,
                   S_CDEC = 5'd4,  S_CSEND= 5'd5,  S_CWAIT= 5'd6,  S_LSEND  = 5'd7,
                   S_LWAIT= 5'd8,  S_KX   = 5'd9,  S_MCMP = 5'd10, S_MWR    = 5'd11,
                   S_ESTART=5'd12, S_ESEND= 5'd13, S_EWAIT= 5'd14, S_ERD    = 5'd15,
                   S_EWR  = 5'd16, S_MREL = 5'd17, S_CHK  = 5'd18, S_INDD = 5'd19;

  // ---------------------------------------------------------------- registers
  (* fsm_encoding = "binary" *) reg [4:0] state_q;
  reg [2:0]    op_q;
  reg [2:0]    status_q;
  reg          keyed_q;
  // the two keys form one 256-bit ring whose halves swap every cycle (key_enc_q <-> key_int_q);
  // the AES core always sees key_enc_q, which holds KCommand_enc when kph_q == 0 and KCommand_int
  // when kph_q == 1, so no key-select mux is needed
  reg [127:0]  key_enc_q /* verilator public_flat_rd */;
  reg [127:0]  key_int_q /* verilator public_flat_rd */;
  reg          kph_q;
  reg [127:0]  acc_q     /* verilator public_flat_rd */;
  reg [7:0]    data_q    /* verilator public_flat_rd */;
  reg          mism_q    /* verilator public_flat_rd */;
  reg [W-1:0]  base_q;
  reg [W:0]    off_q;
  reg [LW-1:0] len_q;
  reg [3:0]    j_q;
  reg          ksel_q;     // 1: KCommand_enc, 0: KCommand_int
  reg          first_q;    // building the first CMAC block (no X to chain)
  reg          pad_q;      // the CMAC stream has ended inside the current block (padded)
  reg          fin_q;      // the final CMAC block has been sent
  reg          ciph_q;     // indication = ciphered
  wire         show_q;     // rsp_mac shows the held tag (decoded, see below)
  reg          aes_clr_q;  // ZEROIZE: one-cycle synchronous reset of the AES core
  reg          badlen_q;   // region check of the command, registered at the handshake

  // ---------------------------------------------------------------- AES core
  wire         aes_in_ready, aes_out_valid;
  wire [127:0] aes_out;
  wire         zblk = (state_q == S_LSEND);
  wire [127:0] aes_in_block = zblk ? 128'd0 : acc_q;
  wire [127:0] aes_in_key   = key_enc_q;
  // offered only when the wanted key is aligned; the core is idle in every *SEND state
  // (its previous output has been released), so in_ready is high and the offer is taken at once
  // in_valid is a flop, set (from the ring phase of the next cycle) for the one cycle in which a
  // *SEND state has its key aligned, so the core's load path starts at a flop
  reg          inv_q;
  wire         aes_in_valid = inv_q;
  reg          aes_rel;     // release the held AES output (registered into aes_rel_q)
  reg          aes_rel_q;

  aes128_enc #(.FAULT_SBOX((FAULT == 2) ? 1 : 0)) u_aes (
    .clk(clk), .rst_n(rst_n && !aes_clr_q),
    .in_valid(aes_in_valid), .in_ready(aes_in_ready), .in_key(aes_in_key), .in_block(aes_in_block),
    .out_valid(aes_out_valid), .out_ready(aes_rel_q), .out_block(aes_out));

  // octet j of the held AES output and the top two bits of octet j+1 (0 past the end)
  reg  [7:0]   ob;
  reg  [1:0]   obn;
  integer      bi;
  always @(*) begin
    ob = 8'h00; obn = 2'b00;
    for (bi = 0; bi < 16; bi = bi + 1)
      if (j_q == bi[3:0]) begin
        ob = aes_out[127 - 8*bi -: 8];
        if (bi < 15) obn = aes_out[119 - 8*bi -: 2];
      end
  end
  // K1 / K2 octet j from L = out_block (TS 33.401 / RFC 4493 subkeys)
  wire         j15 = (j_q == 4'd15);
  wire         j14 = (j_q == 4'd14);
  wire [7:0]   k1  = {ob[6:0], obn[1]} ^ ((j15 && aes_out[127]) ? 8'h87 : 8'h00);
  wire [7:0]   k2  = {ob[5:0], obn}    ^ ((j15 && aes_out[127]) ? 8'h0e : 8'h00)
                                       ^ ((j15 && aes_out[126]) ? 8'h87 : 8'h00)
                                       ^ ((j14 && aes_out[127]) ? 8'h01 : 8'h00);
  wire [7:0]   kb  = (pad_q && (FAULT != 1)) ? k2 : k1;

  // ---------------------------------------------------------------- region bookkeeping
  wire [2:0]   len_rem = len_q[2:0];
  reg          full_q, part_q, skip_q;    // region compares of off_q, registered with it
  wire         full    = full_q;
  wire         part    = part_q;
  wire         avail   = full || part;
  wire [7:0]   mask    = part ? ~(8'hff >> len_rem) : 8'hff;
  wire [7:0]   padbit  = 8'h80 >> len_rem;
  wire         msg_op  = op_q[2];                       // UNPROTECT / PROTECT
  wire         skip    = skip_q;
  wire         hdr_oct = first_q && !j_q[3];

  assign mem_addr = base_q + off_q[W-1:0];

  // ---------------------------------------------------------------- command decode (handshake)
  wire         cmd_hs  = cmd_valid && (state_q == S_IDLE);
  wire         c_raw   = (cmd_op == OP_NEA) || (cmd_op == OP_NIA);
  wire         c_msg   = (cmd_op == OP_UNP) || (cmd_op == OP_PRO);
  // region check: raw ops in bits, message ops in octets (start + length <= buffer), written
  // without a wide adder: whole octets c_n must fit the room 2**W - addr left after the start,
  // and a raw region that exactly fills the room may not carry a partial trailing octet.
  wire [LW-1:0] c_n    = c_raw ? {3'd0, cmd_len[LW-1:3]} : cmd_len;
  wire [LW:0]  c_room  = {{(LW-W){1'b0}}, 1'b1, {W{1'b0}}} - {{(LW+1-W){1'b0}}, cmd_addr};
  wire         c_badlen = ({1'b0, c_n} > c_room) || (c_raw && ({1'b0, c_n} == c_room) && (cmd_len[2:0] != 3'd0)) ||
                          (c_msg && (cmd_len < MIN_LEN));
  wire [LW-1:0] c_len  = c_raw ? cmd_len : {cmd_len[LW-4:0] - TRAIL[LW-4:0], 3'd0};

  // ---------------------------------------------------------------- control
  reg  [4:0]   state_d;
  reg          st_ld, ld_hdr, setup_mac, setup_nea, rot, step_off, ctr_inc, clr_all;
  reg  [2:0]   st_d;
  reg          ciph_d, ciph_ld, data_ld, mism_ld;
  reg  [7:0]   m;      // CMAC stream octet

  always @(*) begin
    state_d = state_q; st_ld = 1'b0; st_d = ST_OK; ld_hdr = 1'b0; setup_mac = 1'b0; setup_nea = 1'b0;
    rot = 1'b0; step_off = 1'b0; ctr_inc = 1'b0; clr_all = 1'b0;
    ciph_d = 1'b0; ciph_ld = 1'b0; data_ld = 1'b0; mism_ld = 1'b0; aes_rel = 1'b0;
    m = 8'h00;
    case (state_q)
      S_IDLE: if (cmd_valid) begin
        // fields latched (header into acc_q); decisions on the registered copy in S_CHK
        state_d = S_CHK;
        if (cmd_op == OP_ZERO) clr_all = 1'b1;
      end
      S_CHK: begin
        st_ld = 1'b1; state_d = S_RSP;
        if (op_q == OP_LOAD)                           st_d = ST_OK;
        else if (op_q > OP_PRO)                        st_d = ST_BAD_OP;
        else if (!keyed_q)                             st_d = ST_NO_KEYS;
        else if (badlen_q)                             st_d = ST_BAD_LEN;
        else if (op_q == OP_NEA) begin                 setup_nea = 1'b1; state_d = S_ESTART; end
        else if (op_q == OP_NIA) begin                 setup_mac = 1'b1; state_d = S_CBUILD; end
        else                                           state_d = S_IND;
      end
      S_RSP: if (rsp_ready) begin
        aes_rel = show_q;                          // release the held tag
        state_d = S_IDLE;
      end
      // the indication octet is registered in data_q and decided on in the next cycle (keeps the
      // memory read data out of the wide register-load selects)
      S_IND: if (mem_ack) begin data_ld = 1'b1; state_d = S_INDD; end
      S_INDD: begin
        ciph_ld = 1'b1; ciph_d = (data_q == IND_CIPHERED);
        if ((data_q != IND_CIPHERED) && (data_q != IND_NULL)) begin
          st_ld = 1'b1; st_d = ST_BAD_IND; state_d = S_RSP;
        end else if ((op_q == OP_PRO) && (data_q == IND_CIPHERED)) begin
          setup_nea = 1'b1; state_d = S_ESTART;
        end else begin
          setup_mac = 1'b1; state_d = S_CBUILD;
        end
      end
      // ---- CMAC: build one block into acc_q, one octet per step
      S_CBUILD: begin
        if (hdr_oct) rot = 1'b1;                          // header octet already in acc_q
        else if (skip) step_off = 1'b0;                   // jump over the MAC field (below)
        else if (avail) begin
          m = part ? ((mem_rdata & mask) | padbit) : mem_rdata;
          if (mem_ack) begin rot = 1'b1; step_off = 1'b1; end
        end else begin
          m = pad_q ? 8'h00 : 8'h80;
          rot = 1'b1;
        end
        if (rot && j15) state_d = S_CDEC;
      end
      S_CDEC: if (!skip) begin
        aes_rel = !first_q;                         // release X_{i-1}
        state_d = avail ? S_CSEND : S_LSEND;
      end
      S_CSEND: if (aes_in_valid && aes_in_ready) state_d = S_CWAIT;
      S_CWAIT: if (aes_out_valid) begin
        if (!fin_q) state_d = S_CBUILD;
        else if (op_q == OP_NIA) begin st_ld = 1'b1; st_d = ST_OK; state_d = S_RSP; end
        else if (op_q == OP_UNP) state_d = S_MCMP;
        else state_d = S_MWR;
      end
      S_LSEND: if (aes_in_valid && aes_in_ready) state_d = S_LWAIT;
      S_LWAIT: if (aes_out_valid) state_d = S_KX;
      S_KX: begin
        rot = 1'b1;
        if (j15) begin aes_rel = 1'b1; state_d = S_CSEND; end
      end
      // ---- MAC field: compare (UNPROTECT) or write (PROTECT)
      S_MCMP: if (mem_ack) begin
        mism_ld = 1'b1; step_off = 1'b1;
        if (j_q == 4'd3) state_d = S_MREL;
      end
      S_MREL: begin
        aes_rel = 1'b1;
        st_ld = 1'b1; state_d = S_RSP;
        if (mism_q) st_d = ST_MAC_FAIL;
        else if (ciph_q) begin st_ld = 1'b0; setup_nea = 1'b1; state_d = S_ESTART; end
      end
      S_MWR: if (mem_ack) begin
        step_off = 1'b1;
        if (j_q == 4'd3) begin st_ld = 1'b1; st_d = ST_OK; state_d = S_RSP; end
      end
      // ---- NEA2: keystream block held in the core, octets read / XORed / written back
      S_ESTART: begin
        if (avail) state_d = S_ESEND;
        else if (op_q == OP_PRO) begin setup_mac = 1'b1; state_d = S_CBUILD; end
        else begin st_ld = 1'b1; st_d = ST_OK; state_d = S_RSP; end
      end
      S_ESEND: if (aes_in_valid && aes_in_ready) state_d = S_EWAIT;
      S_EWAIT: if (aes_out_valid) state_d = S_ERD;
      S_ERD: begin
        if (!avail) begin aes_rel = 1'b1; state_d = S_ESTART; end
        else if (mem_ack) begin data_ld = 1'b1; state_d = S_EWR; end
      end
      S_EWR: if (mem_ack) begin
        step_off = 1'b1;
        if (j15) begin aes_rel = 1'b1; ctr_inc = 1'b1; state_d = S_ESTART; end
        else state_d = S_ERD;
      end
      default: state_d = S_IDLE;
    endcase
    // raw ops keep the header loaded from the command at the handshake
    // message ops: loaded in every state that may start a CMAC or NEA2 pass (whatever the decision
    // taken there; acc_q holds nothing needed any more), so the wide acc_q selects depend on the
    // state only, not on the indication / MAC verdict
    ld_hdr = (cmd_hs && c_raw && keyed_q) || (state_q == S_INDD) || (state_q == S_MREL) ||
             ((state_q == S_ESTART) && !avail && (op_q == OP_PRO));
  end

  assign cmd_ready  = (state_q == S_IDLE);
  assign rsp_valid  = (state_q == S_RSP);
  // the response shows the held tag exactly when an NIA2 or PROTECT command ended well: every OK
  // of those two operations is given with the tag held in the core (NIA2: S_CWAIT, PROTECT: S_MWR)
  assign show_q     = rsp_valid && (status_q == ST_OK) && ((op_q == OP_NIA) || (op_q == OP_PRO));
  assign rsp_status = status_q;
  assign rsp_mac    = show_q ? aes_out[127:96] : 32'd0;
  assign mem_req    = (state_q == S_IND) || (state_q == S_MCMP) || (state_q == S_MWR) ||
                      (state_q == S_EWR) || ((state_q == S_ERD) && avail) ||
                      ((state_q == S_CBUILD) && !hdr_oct && !skip && avail);
  assign mem_we     = (state_q == S_EWR) || (state_q == S_MWR);
  assign mem_wdata  = (((state_q == S_EWR) ? data_q : 8'h00) ^ ob) & mask;

  // CMAC rotate input: chained value (first block: acc_q itself) ^ stream octet, or ^ K octet
  wire       sel_acc = first_q || (state_q == S_KX);
  wire [7:0] rot_in  = (sel_acc ? acc_q[127:120] : ob) ^ ((state_q == S_KX) ? kb : m);
  wire [37:0] hdr    = (state_q == S_IDLE) ? {cmd_count, cmd_bearer, cmd_direction}
                                           : ((op_q == OP_UNP) ? HDR_REQ : HDR_RSP);
  wire [CW-1:0] ctr_nx = acc_q[CW-1:0] + {{(CW-1){1'b0}}, 1'b1};

  // ---------------------------------------------------------------- sequential (synchronous reset)
  wire clr = !rst_n || clr_all;

  always @(posedge clk) aes_clr_q <= rst_n && clr_all;

  // offset within the message / region, and its compares against the length computed from the
  // next values so that full / part / skip come straight from flops
  reg  [W:0]    off_d;
  always @(*) begin
    off_d = off_q;
    if (clr) off_d = {(W+1){1'b0}};
    else if (cmd_hs) off_d = OFF_IND;
    else if (setup_mac) off_d = {(W+1){1'b0}};
    else if (setup_nea) off_d = msg_op ? OFF_NEA : {(W+1){1'b0}};
    else if (skip && (((state_q == S_CBUILD) && !hdr_oct) || (state_q == S_CDEC))) off_d = OFF_BODY0;
    else if ((state_q == S_CWAIT) && aes_out_valid && fin_q && (MAC_TRAILER == 0)) off_d = OFF_CLEAR;
    else if (step_off) off_d = off_q + {{W{1'b0}}, 1'b1};
  end
  wire [LW-1:0] len_d    = clr ? {LW{1'b0}} : cmd_hs ? c_len : len_q;
  wire [W:0]    len_oct_d = len_d[LW-1:3];
  wire          msg_op_d = clr ? 1'b0 : cmd_hs ? cmd_op[2] : op_q[2];
  always @(posedge clk) begin
    off_q  <= off_d;
    full_q <= (off_d < len_oct_d);
    part_q <= (off_d == len_oct_d) && (len_d[2:0] != 3'd0);
    skip_q <= (MAC_TRAILER == 0) && msg_op_d && (off_d == OFF_CLEAR);
  end
  // the core's out_ready is registered (the release takes effect one cycle after the decision):
  // keeps the engine's region compares out of the core's load / in_ready path. The output is not
  // read after the release decision, and every *SEND state follows a release by >= 1 cycle.
  always @(posedge clk) aes_rel_q <= !clr && aes_rel;

  // working register: AND-OR of one-hot selects (header load, octet rotation, counter step, hold),
  // all 0 while clr
  wire asel_hd = !clr && ld_hdr;
  wire asel_rt = !clr && !ld_hdr && rot;
  wire asel_ct = !clr && !ld_hdr && !rot && ctr_inc;
  wire asel_ho = !clr && !ld_hdr && !rot && !ctr_inc;
  always @(posedge clk)
    acc_q <= ({128{asel_hd}} & {hdr, 90'd0}) | ({128{asel_rt}} & {acc_q[119:0], rot_in}) |
             ({128{asel_ho}} & acc_q) | ({128{asel_ct}} & {acc_q[127:CW], ctr_nx});

  // key ring: AND-OR of one-hot selects, all 0 while clr (so the clear costs no mux per flop)
  wire key_ld  = cmd_hs && (cmd_op == OP_LOAD);
  wire ksel_ld = !clr && key_ld;
  wire ksel_rt = !clr && !key_ld;
  always @(posedge clk) begin
    key_enc_q <= ({128{ksel_ld}} & cmd_key_enc) | ({128{ksel_rt}} & key_int_q);
    key_int_q <= ({128{ksel_ld}} & cmd_key_int) | ({128{ksel_rt}} & key_enc_q);
    kph_q     <= kph_d;
  end
  wire       kph_d  = ksel_rt && !kph_q;
  always @(posedge clk)
    inv_q <= !clr && ((state_q == S_LSEND) || (state_q == S_CSEND) || (state_q == S_ESEND)) &&
             !(inv_q && aes_in_ready) && (kph_d == !ksel_q);

  always @(posedge clk) begin
    if (clr) keyed_q <= 1'b0;
    else if (key_ld) keyed_q <= 1'b1;


    if (clr) begin
      state_q <= S_IDLE; op_q <= 3'd0; status_q <= ST_OK; data_q <= 8'd0; mism_q <= 1'b0;
      badlen_q <= 1'b0; base_q <= {W{1'b0}}; len_q <= {LW{1'b0}}; j_q <= 4'd0;
      ksel_q <= 1'b0; first_q <= 1'b0; pad_q <= 1'b0; fin_q <= 1'b0; ciph_q <= 1'b0;
      if (clr_all) state_q <= S_RSP;
    end else begin
      state_q <= state_d;
      if (st_ld) status_q <= st_d;
      if (cmd_hs) begin
        op_q <= cmd_op; base_q <= cmd_addr; len_q <= c_len; mism_q <= 1'b0;
        badlen_q <= c_badlen;
      end
      if (ciph_ld) ciph_q <= ciph_d;
      if (data_ld) data_q <= mem_rdata;
      if (mism_ld) mism_q <= mism_q || (mem_rdata != ob);
      // octet position in the block
      if (ld_hdr || setup_mac || setup_nea) j_q <= 4'd0;
      else if (rot || step_off) j_q <= j_q + 4'd1;
      // CMAC / key select flags
      if (setup_mac) begin ksel_q <= 1'b0; first_q <= 1'b1; pad_q <= 1'b0; fin_q <= 1'b0; end
      if (setup_nea) ksel_q <= 1'b1;
      if ((state_q == S_CSEND) && aes_in_valid && aes_in_ready) first_q <= 1'b0;
      if ((state_q == S_CBUILD) && rot && !hdr_oct && (part || !avail)) pad_q <= 1'b1;
      if ((state_q == S_CDEC) && !skip && !avail) fin_q <= 1'b1;
      if ((state_q == S_CWAIT) && aes_out_valid && fin_q) fin_q <= 1'b0;
    end
  end

endmodule
